// Human steps as validated Workflow Updates on the real embedded stack (real Temporal, real worker): a step sent
// in the wrong phase is refused before anything reaches the history; the right step is accepted and says what
// changed; a cancel carries its reason into the history, the ledger and the audit, and raises no warning.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpsErrorShape } from '../../../main/api/errors';
import { outcome, rows, startCycleStack, waitingAt, type CycleStack } from '../../support/cycle-stack';

let s: CycleStack;

beforeAll(async () => {
  s = await startCycleStack();
  await s.ops.router.invoke('workflows.createDemoData', { reports: 2 });
});

afterAll(async () => {
  await s?.stop();
});

async function refusal(name: string, input: Record<string, unknown>): Promise<OpsErrorShape> {
  const r = await s.ops.router.call(name, input);
  expect(r.ok, `${name} should be refused`).toBe(false);
  return (r as { ok: false; error: OpsErrorShape }).error;
}

async function eventTypes(workflowId: string): Promise<string[]> {
  const history = await (await s.ops.cycles.client()).workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).map((e) => String(e.eventType));
}

/** Update events in the history (accepted ones write two: accepted, completed). */
async function updateEvents(workflowId: string): Promise<number> {
  const { EventType } = (await import('@temporalio/proto')).temporal.api.enums.v1;
  const kinds = new Set(
    [
      EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
      EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_REJECTED,
    ].map(String),
  );
  return (await eventTypes(workflowId)).filter((t) => kinds.has(t)).length;
}

const scope = (workflowId: string) => ({ workflowId, approved: true, by: 'qa-lead' });
const rfi = (workflowId: string, reportId: number) => ({
  workflowId,
  by: 'qa-lead',
  answers: [{ reportId, response: `records for report ${reportId} attached` }],
});
const results = (workflowId: string, ids: number[]) => ({
  workflowId,
  by: 'tester',
  results: ids.map((executionId) => ({ executionId, result: 'pass' })),
});

describe('human steps', () => {
  it('accepts each step only in its phase, refuses the others without a history event, and says what changed', async () => {
    const { workflowId } = await s.ops.router.invoke('workflows.start', {
      cycleId: 701,
      reportIds: [1, 2],
      skipPhases: [],
      autoApprove: false,
    });
    await waitingAt(s.db, workflowId, 'scope_approval');

    // Scoping: RFI answers and results are refused.
    const early = await refusal('workflows.recordResults', results(workflowId, [1]));
    expect(early.code).toBe('CONFLICT');
    expect(early.message).toBe(
      'This cycle is waiting for its scope approval; test results are accepted in Test Execution.',
    );
    expect((await refusal('workflows.answerRfi', rfi(workflowId, 1))).message).toMatch(
      /waiting for its scope approval; RFI answers are accepted in Request for Information/,
    );
    expect(await updateEvents(workflowId)).toBe(0);

    const approved = await s.ops.router.invoke('workflows.approveScope', scope(workflowId));
    expect(approved).toMatchObject({
      step: 'scope_approval',
      changed: 'scope approved by qa-lead',
      complete: true,
    });
    await waitingAt(s.db, workflowId, 'rfi_responses');
    const afterApproval = await updateEvents(workflowId);
    expect(afterApproval).toBe(1);

    // Request for Information: scope and results are refused, unknown and answered RFIs too.
    expect((await refusal('workflows.approveScope', scope(workflowId))).message).toMatch(
      /waiting for RFI answers from reports 1 and 2; a scope approval is accepted in Scoping/,
    );
    expect((await refusal('workflows.recordResults', results(workflowId, [1]))).message).toBe(
      'This cycle is waiting for RFI answers from reports 1 and 2; test results are accepted in Test Execution.',
    );
    expect((await refusal('workflows.answerRfi', rfi(workflowId, 99))).message).toMatch(
      /^Report 99 has no RFI in this cycle/,
    );
    const first = await s.ops.router.invoke('workflows.answerRfi', rfi(workflowId, 1));
    expect(first).toMatchObject({ remaining: [2], complete: false });
    expect((await refusal('workflows.answerRfi', rfi(workflowId, 1))).message).toMatch(
      /^The RFI of report 1 is already answered; this cycle is waiting for RFI answers from report 2\./,
    );
    expect(await updateEvents(workflowId)).toBe(afterApproval + 1);
    await s.ops.router.invoke('workflows.answerRfi', rfi(workflowId, 2));
    await waitingAt(s.db, workflowId, 'test_results');

    // Test Execution: an execution that does not exist is refused; the cycle still waits for its results.
    const context = await s.ops.router.invoke('workflows.stepContext', { workflowId });
    expect(context.waitingFor).toBe('test_results');
    expect(context.executions.length).toBe(2 * 5 * 5);
    expect((await refusal('workflows.recordResults', results(workflowId, [999_999]))).message).toMatch(
      /^Execution 999999 does not exist in this cycle/,
    );
    const ids = context.executions.map((e) => e.id);
    const all = await s.ops.router.invoke('workflows.recordResults', results(workflowId, ids));
    expect(all).toMatchObject({ step: 'test_results', remaining: [], complete: true });
    const done = await outcome(s.ops, workflowId);
    expect(done.ok).toBe(true);
    expect(await updateEvents(workflowId)).toBe(4);
    const judged = await rows<{ n: number }>(
      s.db,
      `SELECT count(*)::int AS n FROM test_executions WHERE cycle_id = 701 AND result = 'pass' AND note IS NULL`,
    );
    expect(judged[0]!.n).toBe(ids.length);
  });

  it('keeps a cycle whose results were refused early waiting for them in Test Execution', async () => {
    const { workflowId } = await s.ops.router.invoke('workflows.start', {
      cycleId: 702,
      reportIds: [1],
      skipPhases: [],
      autoApprove: false,
    });
    await waitingAt(s.db, workflowId, 'scope_approval');
    await refusal('workflows.recordResults', results(workflowId, [1, 2, 3]));
    await s.ops.router.invoke('workflows.approveScope', scope(workflowId));
    await waitingAt(s.db, workflowId, 'rfi_responses');
    await refusal('workflows.recordResults', results(workflowId, [1, 2, 3]));
    await s.ops.router.invoke('workflows.answerRfi', rfi(workflowId, 1));
    await waitingAt(s.db, workflowId, 'test_results');
    const context = await s.ops.router.invoke('workflows.stepContext', { workflowId });
    expect(context.waitingFor).toBe('test_results');
    expect(context.message).toMatch(/^this cycle is waiting for the results of executions/);
    const [phase] = await rows<{ status: string }>(
      s.db,
      `SELECT status FROM workflow_phases WHERE workflow_id = $1 AND phase = 'test_execution'`,
      [workflowId],
    );
    expect(phase!.status).toBe('running');
    const judged = await rows<{ n: number }>(
      s.db,
      `SELECT count(*)::int AS n FROM test_executions WHERE cycle_id = 702 AND result IS NOT NULL`,
    );
    expect(judged[0]!.n).toBe(0);
  });

  it('previews a batch step per cycle: applies where the cycle waits for it, refused with the reason elsewhere', async () => {
    const { workflowId } = await s.ops.router.invoke('workflows.start', {
      cycleId: 703,
      reportIds: [1],
      skipPhases: [],
      autoApprove: false,
    });
    await waitingAt(s.db, workflowId, 'scope_approval');
    const selection = { filter: { text: 'test-cycle-70' }, exclude: [] };
    const action = { action: 'signal', signal: 'testResult', payload: { result: 'pass' } };
    const preview = await s.ops.router.invoke('inspection.batchPreview', { selection, action });
    const item = (id: string) => preview.items.find((i) => i.workflowId === id);
    expect(item('test-cycle-702')).toMatchObject({ applies: true, effect: 'record 25 result(s) as pass' });
    expect(item(workflowId)).toMatchObject({
      applies: false,
      effect:
        'refused: this cycle is waiting for its scope approval; test results are accepted in Test Execution',
    });
    expect(item('test-cycle-701')).toMatchObject({ applies: false, effect: 'skipped: already completed' });
    await s.ops.router.invoke('workflows.cancel', { workflowId, reason: 'batch check done' });
  });

  it('cancels with a reason kept in the cancel request, the ledger and the audit, and raises no warning', async () => {
    const workflowId = 'test-cycle-702';
    const refused = await refusal('workflows.cancel', { workflowId, reason: '' });
    expect(refused.code).toBe('INVALID_INPUT');
    await s.ops.router.invoke('workflows.cancel', {
      workflowId,
      reason: 'scope changed by audit',
      by: 'qa-lead',
    });
    const done = await outcome(s.ops, workflowId);
    expect(done.ok).toBe(false);
    const history = await (await s.ops.cycles.client()).workflow.getHandle(workflowId).fetchHistory();
    const request = history.events!.find((e) => e.workflowExecutionCancelRequestedEventAttributes);
    expect(request!.workflowExecutionCancelRequestedEventAttributes!.cause).toBe('scope changed by audit');
    const ledger = await rows<{ phase: string; reason: string }>(
      s.db,
      'SELECT phase, reason FROM workflow_compensation_log WHERE workflow_id = $1 ORDER BY id',
      [workflowId],
    );
    expect(ledger.length).toBeGreaterThan(0);
    expect(
      ledger.every((l) => l.reason === 'the cycle was cancelled by qa-lead: scope changed by audit'),
    ).toBe(true);
    const warnings = await rows(
      s.db,
      `SELECT kind FROM workflow_alerts WHERE workflow_id = $1 AND severity IN ('warning', 'critical')`,
      [workflowId],
    );
    expect(warnings).toEqual([]);
    const audit = await s.ops.router.invoke('audit.list', { op: 'workflows.cancel' });
    expect(audit.entries[0]).toMatchObject({
      outcome: 'ok',
      input: { workflowId, reason: 'scope changed by audit', by: 'qa-lead' },
    });
  });
});
