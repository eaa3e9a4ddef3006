// The progress notice as the listener reads it: one transaction's changes in one notice, or a single change.
import { describe, expect, it } from 'vitest';
import { progressEvents } from '../../../main/db/listener';

const at = '2026-11-30T20:00:00.123456+00:00';

describe('progress notices', () => {
  it('hands on each change of a batched notice with the notice’s cycle and time, in order', () => {
    const payload = JSON.stringify({
      workflowId: 'test-cycle-7',
      at,
      events: [
        { table: 'workflow_activities', phase: 'planning', kind: 'generateAttributes:completed' },
        { table: 'workflow_phases', phase: 'planning', kind: 'phase:completed' },
        { table: 'workflow_executions', kind: 'execution:completed' },
      ],
    });
    expect(progressEvents(payload)).toEqual({
      events: [
        {
          workflowId: 'test-cycle-7',
          at,
          table: 'workflow_activities',
          phase: 'planning',
          kind: 'generateAttributes:completed',
        },
        {
          workflowId: 'test-cycle-7',
          at,
          table: 'workflow_phases',
          phase: 'planning',
          kind: 'phase:completed',
        },
        { workflowId: 'test-cycle-7', at, table: 'workflow_executions', kind: 'execution:completed' },
      ],
    });
  });

  it('reads a single change, a null phase as none, and names what it skips', () => {
    const single = { workflowId: 'w', table: 'workflow_executions', phase: null, kind: 'x', at };
    expect(progressEvents(JSON.stringify(single)).events).toEqual([
      { workflowId: 'w', table: 'workflow_executions', kind: 'x', at },
    ]);
    expect(progressEvents('{not json')).toEqual({ events: [], ignored: 'not JSON' });
    const mixed = progressEvents(
      JSON.stringify({ workflowId: 'w', at, events: [{ table: 't', kind: 'k' }, { table: 7 }] }),
    );
    expect(mixed.events).toHaveLength(1);
    expect(mixed.ignored).toMatch(/1 change/);
  });
});
