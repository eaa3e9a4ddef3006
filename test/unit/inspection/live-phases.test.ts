// The open cycle's phases as a frame's pushed events move them: one new view for the lot, never a phase moved back.
import { describe, expect, it } from 'vitest';
import type { PhaseStatesView, PhaseStateView, WorkflowProgressEvent } from '../../../main/api/contract';
import {
  applyPhaseMarks,
  phaseMarkOf,
  withNewerMarks,
  type PhaseMark,
} from '../../../renderer/src/inspection/live-phases';

const phase = (id: PhaseStateView['phase'], state: PhaseStateView['state']): PhaseStateView =>
  ({ phase: id, state, attempts: 1, maxAttempts: 5 }) as PhaseStateView;

const view = (...phases: PhaseStateView[]): PhaseStatesView =>
  ({
    workflowId: 'test-cycle-1',
    runId: 'r',
    status: 'running',
    phases,
    compensations: [],
  }) as unknown as PhaseStatesView;

const event = (e: Partial<WorkflowProgressEvent>): WorkflowProgressEvent => ({
  workflowId: 'test-cycle-1',
  table: 'workflow_phases',
  kind: 'phase:completed',
  at: '2026-11-30T20:00:00.000Z',
  ...e,
});

describe('phase marks of progress events', () => {
  it('reads the phase and state of a phase write and nothing of other writes', () => {
    expect(phaseMarkOf(event({ phase: 'planning' }))).toEqual({ phase: 'planning', state: 'completed' });
    expect(phaseMarkOf(event({ phase: 'scoping', kind: 'phase:running' }))).toEqual({
      phase: 'scoping',
      state: 'running',
    });
    expect(phaseMarkOf(event({ phase: 'planning', table: 'workflow_activities' }))).toBeUndefined();
    expect(phaseMarkOf(event({ table: 'workflow_executions', kind: 'execution:completed' }))).toBeUndefined();
    expect(phaseMarkOf(event({ phase: 'planning', kind: 'phase:sideways' }))).toBeUndefined();
  });
});

describe('a frame of phase marks applied to the shown view', () => {
  it('makes one new view with every mark, keeping the objects of the phases they leave alone', () => {
    const shown = view(
      phase('planning', 'running'),
      phase('scoping', 'pending'),
      phase('sample_selection', 'pending'),
    );
    const marks: PhaseMark[] = [
      { phase: 'planning', state: 'completed' },
      { phase: 'scoping', state: 'running' },
    ];
    const { view: next, taken } = applyPhaseMarks(shown, marks);
    expect(next.phases.map((p) => p.state)).toEqual(['completed', 'running', 'pending']);
    expect(next.phases[2]).toBe(shown.phases[2]);
    expect(next.phases[0]).toMatchObject({ attempts: 1, maxAttempts: 5 });
    expect(taken).toEqual(marks);
  });

  it('moves a phase once per frame and leaves its next moves, in order, for the next frame', () => {
    const shown = view(phase('sample_selection', 'pending'), phase('data_owner_identification', 'pending'));
    const marks: PhaseMark[] = [
      { phase: 'sample_selection', state: 'running' },
      { phase: 'data_owner_identification', state: 'running' },
      { phase: 'sample_selection', state: 'completed' },
      { phase: 'sample_selection', state: 'compensated' },
    ];
    const first = applyPhaseMarks(shown, marks);
    // Both parallel phases show running together, however soon the first one ends.
    expect(first.view.phases.map((p) => p.state)).toEqual(['running', 'running']);
    expect(first.deferred).toEqual(marks.slice(2));
    const second = applyPhaseMarks(first.view, first.deferred);
    expect(second.view.phases.map((p) => p.state)).toEqual(['completed', 'running']);
    expect(applyPhaseMarks(second.view, second.deferred).view.phases[0]!.state).toBe('compensated');
  });

  it('never moves a phase back, even when a later mark repeats a passed state', () => {
    const shown = view(phase('planning', 'running'));
    const first = applyPhaseMarks(shown, [
      { phase: 'planning', state: 'completed' },
      { phase: 'planning', state: 'running' },
    ]);
    expect(first.view.phases[0]!.state).toBe('completed');
    expect(first.taken).toEqual([{ phase: 'planning', state: 'completed' }]);
    const second = applyPhaseMarks(first.view, first.deferred);
    expect(second.view).toBe(first.view);
    expect(second.taken).toEqual([]);
  });

  it('is the shown view itself when no mark changes anything', () => {
    const shown = view(phase('planning', 'completed'));
    const { view: next, taken } = applyPhaseMarks(shown, [
      { phase: 'planning', state: 'completed' },
      { phase: 'planning', state: 'running' },
    ]);
    expect(next).toBe(shown);
    expect(taken).toEqual([{ phase: 'planning', state: 'completed' }]);
  });

  it('lets a phase waiting for the operator run again', () => {
    const shown = view(phase('scoping', 'needs_attention'));
    expect(applyPhaseMarks(shown, [{ phase: 'scoping', state: 'running' }]).view.phases[0]!.state).toBe(
      'running',
    );
  });
});

describe('a read of the phases with the events that came after it was asked', () => {
  it('shows an event’s state where the read is behind it', () => {
    const read = view(phase('planning', 'running'), phase('scoping', 'pending'));
    const next = withNewerMarks(read, new Map([['planning', 'completed' as const]]));
    expect(next.phases.map((p) => p.state)).toEqual(['completed', 'pending']);
    expect(next.phases[1]).toBe(read.phases[1]);
  });

  it('keeps the read where it is already past the event (the read saw a later write)', () => {
    const read = view(phase('planning', 'completed'));
    expect(withNewerMarks(read, new Map([['planning', 'running' as const]]))).toBe(read);
    expect(withNewerMarks(read, new Map())).toBe(read);
  });
});
