// Time waiting for a person is kept apart from work: an operator who takes 20 s to approve the scope raises no
// slow-phase alert; the phase shows about 20 s of waiting and little work; the Metrics bottlenecks rank by work
// with the waiting beside it; a reminder names who is awaited. Real Temporal, real worker, real Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remindWaiting } from '../../../main/inspection/waiting-reminder';
import {
  finishSteps,
  outcome,
  rows,
  startCycleStack,
  waitingAt,
  type CycleStack,
} from '../../support/cycle-stack';

let s: CycleStack;
const OPERATOR_PAUSE_MS = 20_000;

beforeAll(async () => {
  s = await startCycleStack();
  await s.ops.router.invoke('workflows.createDemoData', { reports: 1 });
});

afterAll(async () => {
  await s?.stop();
});

describe('waiting time apart from work time', () => {
  it('counts an operator who waits 20 s in Scoping as waiting, not work, and raises no slow-phase alert', async () => {
    const { workflowId } = await s.ops.router.invoke('workflows.start', {
      cycleId: 801,
      reportIds: [1],
      skipPhases: [],
      autoApprove: false,
    });
    await waitingAt(s.db, workflowId, 'scope_approval');
    await new Promise((r) => setTimeout(r, OPERATOR_PAUSE_MS));

    // While it waits, the graph shows the wait in progress and who is awaited.
    const live = await s.ops.router.invoke('inspection.phases', { workflowId });
    const scopingLive = live.phases.find((p) => p.phase === 'scoping')!;
    expect(scopingLive).toMatchObject({ state: 'running', waitingFor: 'scope_approval', activeMs: null });
    expect(scopingLive.waitingSince).not.toBeNull();
    expect(await remindWaiting(s.db, OPERATOR_PAUSE_MS / 2)).toBe(1);
    expect(await remindWaiting(s.db, OPERATOR_PAUSE_MS / 2)).toBe(0); // once per step
    const [reminder] = await rows<{ severity: string; message: string }>(
      s.db,
      `SELECT severity, message FROM workflow_alerts WHERE workflow_id = $1 AND kind = 'waiting_for_person'`,
      [workflowId],
    );
    expect(reminder).toMatchObject({ severity: 'info' });
    expect(reminder!.message).toMatch(
      /^Cycle 801 has waited \d+ min for the Test Manager to approve the scope$/,
    );

    await s.ops.router.invoke('workflows.approveScope', { workflowId, approved: true, by: 'qa-lead' });
    await waitingAt(s.db, workflowId, 'rfi_responses');
    expect(await remindWaiting(s.db, 1)).toBe(1);
    const owners = await rows<{ message: string }>(
      s.db,
      `SELECT message FROM workflow_alerts WHERE workflow_id = $1 AND kind = 'waiting_for_person' AND phase = 'request_for_information'`,
      [workflowId],
    );
    expect(owners[0]!.message).toMatch(/the data owners to answer their RFIs: Demo owner 1 \(report 1\)/);

    await finishSteps(s, workflowId, 'qa-lead');
    expect((await outcome(s.ops, workflowId)).ok).toBe(true);

    const [scoping] = await rows<{ active_ms: number; waiting_ms: number; duration_ms: number }>(
      s.db,
      `SELECT active_ms, waiting_ms, duration_ms FROM workflow_phases WHERE workflow_id = $1 AND phase = 'scoping'`,
      [workflowId],
    );
    const [{ expected }] = (await rows<{ expected: number }>(
      s.db,
      `SELECT sum(expected_duration_ms)::int AS expected FROM workflow_activity_templates WHERE phase = 'scoping'`,
    )) as [{ expected: number }];
    expect(scoping!.waiting_ms).toBeGreaterThanOrEqual(OPERATOR_PAUSE_MS);
    expect(scoping!.active_ms).toBeLessThan(expected);
    expect(scoping!.active_ms + scoping!.waiting_ms).toBe(scoping!.duration_ms);
    const slow = await rows(
      s.db,
      `SELECT message FROM workflow_alerts WHERE workflow_id = $1 AND kind = 'phase_over_expected'`,
      [workflowId],
    );
    expect(slow).toEqual([]);

    // The node's view of the finished phase: the same split.
    const view = await s.ops.router.invoke('inspection.phases', { workflowId });
    expect(view.phases.find((p) => p.phase === 'scoping')).toMatchObject({
      activeMs: scoping!.active_ms,
      waitingMs: scoping!.waiting_ms,
      waitingFor: null,
    });

    // Metrics rank by work; waiting is shown beside it and does not move scoping up.
    const metrics = await s.ops.router.invoke('inspection.metrics', {});
    const active = await rows<{ phase: string; active_ms: number }>(
      s.db,
      `SELECT phase, active_ms FROM workflow_phases WHERE workflow_id = $1`,
      [workflowId],
    );
    const shares = metrics.bottlenecks.map((b) => b.share);
    expect(shares).toEqual([...shares].sort((a, b) => b - a));
    const rank = metrics.bottlenecks.findIndex((b) => b.phase === 'scoping');
    expect(rank).toBe(active.filter((p) => p.active_ms > scoping!.active_ms).length);
    const row = metrics.bottlenecks[rank]!;
    expect(row.meanActiveMs).toBe(scoping!.active_ms);
    expect(row.meanWaitingMs).toBe(scoping!.waiting_ms);
  });
});
