// A re-read page of the Workflows list keeps the rows that did not change as the objects already on screen.
import { describe, expect, it } from 'vitest';
import type { CycleRow } from '../../../main/api/contract';
import { keepUnchangedRows } from '../../../renderer/src/inspection/list-rows';

const row = (id: string, status: CycleRow['status'], currentPhase: string | null): CycleRow =>
  ({ workflowId: id, runId: `run-${id}`, cycleId: 1, status, currentPhase }) as CycleRow;

describe('a re-read page of the list', () => {
  it('is the page already shown when no row changed', () => {
    const shown = [row('a', 'running', 'planning'), row('b', 'completed', null)];
    const again = [row('a', 'running', 'planning'), row('b', 'completed', null)];
    expect(keepUnchangedRows(shown, again)).toBe(shown);
  });

  it('keeps unchanged rows and takes the changed one', () => {
    const shown = [row('a', 'running', 'planning'), row('b', 'running', 'scoping')];
    const next = [row('a', 'running', 'planning'), row('b', 'running', 'sample_selection')];
    const kept = keepUnchangedRows(shown, next);
    expect(kept).not.toBe(shown);
    expect(kept[0]).toBe(shown[0]);
    expect(kept[1]).toBe(next[1]);
    expect(kept[1]!.currentPhase).toBe('sample_selection');
  });

  it('follows a new cycle at the top and the rows moving down, keeping each one', () => {
    const shown = [row('a', 'running', 'planning'), row('b', 'completed', null)];
    const next = [row('c', 'running', null), row('a', 'running', 'planning'), row('b', 'completed', null)];
    const kept = keepUnchangedRows(shown, next);
    expect(kept.map((r) => r.workflowId)).toEqual(['c', 'a', 'b']);
    expect(kept[1]).toBe(shown[0]);
    expect(kept[2]).toBe(shown[1]);
  });

  it('is the new page when nothing was shown before', () => {
    const next = [row('a', 'running', 'planning')];
    expect(keepUnchangedRows(undefined, next)).toBe(next);
  });
});
