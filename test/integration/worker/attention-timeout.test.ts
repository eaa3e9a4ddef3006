// Resume after manual intervention, when nobody decides: the wait for the operator ends at the timeout from
// Settings (worker.attentionTimeoutH, handed to the cycle as attentionTimeoutS), and the cycle is abandoned and
// compensated as a failure would be. Real stack (real Temporal, real worker, real PostgreSQL); the outcome is
// read from the tracking rows and the ledger, never from the clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addProblemReport,
  outcome,
  rows,
  startCycleStack,
  waitFor,
  type CycleStack,
} from '../../support/cycle-stack';
import { expectLedgerMatchesRows, installRowJournal } from '../../support/ledger-check';

let s: CycleStack;

beforeAll(async () => {
  s = await startCycleStack({ retryBaseMs: 50 });
  await s.ops.router.invoke('workflows.createDemoData', { reports: 2 });
  await installRowJournal(s.db);
});

afterAll(async () => {
  await s?.stop();
});

describe('the wait for an operator decision times out', () => {
  it('abandons and compensates a cycle nobody decides on, after the timeout set in Settings', async () => {
    // The shortest wait Settings allow: 0.01 h, 36 s.
    await s.ops.router.invoke('settings.update', { worker: { attentionTimeoutH: 0.01 } });
    await addProblemReport(s.db, { id: 61, name: 'Report nobody owns', population: 30, owner: null });
    const { workflowId } = await s.ops.router.invoke('workflows.start', {
      cycleId: 861,
      reportIds: [1, 61],
      skipPhases: [],
      autoApprove: true,
      waitForOperator: true,
    });
    const phaseStatus = async () =>
      (
        await rows<{ status: string }>(
          s.db,
          `SELECT status FROM workflow_phases WHERE workflow_id = $1 AND phase = 'data_owner_identification'`,
          [workflowId],
        )
      )[0]?.status;
    await waitFor(
      async () => (await phaseStatus()) === 'needs_attention',
      60_000,
      'the phase to need attention',
    );
    const [waiting] = await rows<{ status: string }>(
      s.db,
      `SELECT status FROM workflow_steps WHERE workflow_id = $1 AND step = 'operator_decision'`,
      [workflowId],
    );
    expect(waiting).toEqual({ status: 'waiting' });

    // Nobody decides: the cycle ends on its own.
    const done = await outcome(s.ops, workflowId);
    expect(done.ok).toBe(false);

    // The decision step records the timeout as the one who abandoned, with the setting's 36 s.
    const steps = await rows<{ step: string; status: string; detail: Record<string, unknown> }>(
      s.db,
      `SELECT step, status, detail FROM workflow_steps WHERE workflow_id = $1 AND step LIKE 'operator_decision%'`,
      [workflowId],
    );
    expect(steps).toEqual([
      {
        step: 'operator_decision',
        status: 'done',
        detail: expect.objectContaining({
          decision: 'abandon',
          by: 'timeout',
          note: 'no decision within 36 s',
        }),
      },
    ]);
    const [exec] = await rows(s.db, 'SELECT status FROM workflow_executions WHERE workflow_id = $1', [
      workflowId,
    ]);
    expect(exec).toEqual({ status: 'failed' });
    expect(await phaseStatus()).not.toBe('completed');
    // Compensated as a failure would be: the failed phase first, every entry matching the rows.
    const ledger = await expectLedgerMatchesRows(s.db, 861, workflowId);
    expect(ledger.length).toBeGreaterThan(0);
    expect(ledger[0]!.phase).toBe('data_owner_identification');
    expect(ledger.every((e) => e.outcome === 'done')).toBe(true);
    // Later phases never ran.
    const later = await rows(
      s.db,
      `SELECT phase FROM workflow_phases WHERE workflow_id = $1 AND phase IN ('request_for_information', 'test_execution')
          AND status = 'completed'`,
      [workflowId],
    );
    expect(later).toEqual([]);
  });
});
