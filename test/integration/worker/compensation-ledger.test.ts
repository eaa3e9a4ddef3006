// The compensation ledger tells the truth, on the real stack (real Temporal, real worker, real PostgreSQL), one
// stack for the whole file: for each of the 8 phases, fail it for good and cancel while it runs, then compare every
// ledger entry with the rows; a compensation whose table refuses its statement; and resume after manual
// intervention. Phases fail for good because the test makes a table refuse a statement (a trigger), never by a
// stand-in for the product's code.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHASE_IDS, type PhaseId } from '../../../main/api/contract';
import {
  addProblemReport,
  outcome,
  rows,
  startCycleStack,
  startToRfi,
  waitFor,
  waitingAt,
  type CycleStack,
} from '../../support/cycle-stack';
import {
  expectLedgerMatchesRows,
  installActivityRefusal,
  installRowJournal,
  ledgerOf,
} from '../../support/ledger-check';

let s: CycleStack;

beforeAll(async () => {
  // Long lock waits: a phase held by the test's table lock stays running until the test lets it go.
  s = await startCycleStack({ retryBaseMs: 50, dbLockTimeoutMs: 120_000 }, { activityTimeoutS: 60 });
  await s.ops.router.invoke('workflows.createDemoData', { reports: 2 });
  await installRowJournal(s.db);
  await installActivityRefusal(s.db);
});

afterAll(async () => {
  await s?.stop();
});

/** The activity whose completion is refused to fail each phase for good: the last one the phase runs unattended. */
const FAILING_ACTIVITY: Record<PhaseId, string> = {
  planning: 'generateAttributes',
  scoping: 'recordScopeApproval',
  sample_selection: 'selectSamples',
  data_owner_identification: 'identifyDataOwners',
  request_for_information: 'recordRfiResponses',
  test_execution: 'executeTests',
  observation_management: 'createObservations',
  finalize_test_report: 'summarizeReport',
};

/** The table each phase writes, locked by the test to hold the phase while it runs. */
const PHASE_TABLE: Partial<Record<PhaseId, string>> = {
  planning: 'test_attributes',
  sample_selection: 'samples',
  data_owner_identification: 'data_owner_assignments',
  observation_management: 'observations',
  finalize_test_report: 'final_reports',
};

async function phaseStatus(workflowId: string, phase: PhaseId): Promise<string | undefined> {
  const [r] = await rows<{ status: string }>(
    s.db,
    `SELECT status FROM workflow_phases WHERE workflow_id = $1 AND phase = $2`,
    [workflowId, phase],
  );
  return r?.status;
}

async function completedPhases(workflowId: string): Promise<string[]> {
  return (
    await rows<{ phase: string }>(
      s.db,
      `SELECT p.phase FROM workflow_phases p WHERE p.workflow_id = $1
          AND EXISTS (SELECT 1 FROM workflow_transitions t WHERE t.workflow_id = p.workflow_id AND t.to_phase = p.phase)`,
      [workflowId],
    )
  ).map((r) => r.phase);
}

describe('compensation matrix: every phase failed for good and cancelled while it runs', () => {
  it('fails each of the 8 phases for good: every ledger entry matches the rows', async () => {
    const runs = PHASE_IDS.map(async (phase, i) => {
      const cycleId = 601 + i;
      await s.db.query('INSERT INTO test_refusals VALUES ($1, $2)', [
        `test-cycle-${cycleId}`,
        FAILING_ACTIVITY[phase],
      ]);
      const { workflowId } = await s.ops.router.invoke('workflows.start', {
        cycleId,
        reportIds: [1, 2],
        skipPhases: [],
        autoApprove: true,
      });
      const done = await outcome(s.ops, workflowId);
      expect(done.ok, `${phase} should fail`).toBe(false);
      if (!done.ok) expect(done.error.message).toMatch(/refused for the test/);
      const ledger = await expectLedgerMatchesRows(s.db, cycleId, workflowId);
      // The failed phase is undone first, then every phase that started, nothing else.
      expect(ledger[0]!.phase, `${phase} first`).toBe(phase);
      expect(new Set(ledger.map((l) => l.phase))).toEqual(new Set(await completedPhases(workflowId)));
      return { phase, ledger };
    });
    const results = await Promise.all(runs);
    // Late failures keep the recorded results and what they rest on, and say so.
    const late = results.find((r) => r.phase === 'finalize_test_report')!.ledger;
    const keptResults = late.find((l) => l.phase === 'test_execution')!.detail.kept.test_executions!;
    expect(keptResults).toBeGreaterThan(0);
    for (const parent of ['sample_selection', 'planning', 'scoping']) {
      const entry = late.find((l) => l.phase === parent)!;
      expect(Object.values(entry.detail.kept)[0], `${parent} keeps parents`).toBeGreaterThan(0);
      expect(entry.detail.keptBecause, `${parent} says why`).toMatch(/result/);
    }
    const [obs] = await rows<{ n: number }>(
      s.db,
      'SELECT count(*)::int AS n FROM test_executions WHERE cycle_id = 608 AND result IS NOT NULL',
    );
    expect(obs!.n).toBe(keptResults);
  });

  it('cancels each phase while it waits for people: the ledger matches the rows', async () => {
    const scope = (async () => {
      const { workflowId } = await s.ops.router.invoke('workflows.start', {
        cycleId: 612,
        reportIds: [1, 2],
        skipPhases: [],
        autoApprove: false,
      });
      await waitingAt(s.db, workflowId, 'scope_approval');
      return { cycleId: 612, workflowId, phase: 'scoping' as const };
    })();
    const rfi = startToRfi(s, 615, [1, 2]).then((workflowId) => ({
      cycleId: 615,
      workflowId,
      phase: 'request_for_information' as const,
    }));
    const tests = startToRfi(s, 616, [1, 2]).then(async (workflowId) => {
      for (const reportId of [1, 2])
        await s.ops.router.invoke('workflows.signal', {
          workflowId,
          signal: 'rfiResponse',
          payload: { reportId, response: 'attached' },
        });
      await waitingAt(s.db, workflowId, 'test_results');
      return { cycleId: 616, workflowId, phase: 'test_execution' as const };
    });
    for (const c of await Promise.all([scope, rfi, tests])) {
      await s.ops.router.invoke('workflows.cancel', { workflowId: c.workflowId, reason: 'matrix' });
      const done = await outcome(s.ops, c.workflowId);
      expect(done.ok).toBe(false);
      const ledger = await expectLedgerMatchesRows(s.db, c.cycleId, c.workflowId);
      expect(ledger[0]!.phase).toBe(c.phase);
      const [exec] = await rows(s.db, 'SELECT status FROM workflow_executions WHERE workflow_id = $1', [
        c.workflowId,
      ]);
      expect(exec).toEqual({ status: 'cancelled' });
    }
  });

  // One at a time: the table lock holds every cycle that writes the table.
  for (const [phase, table] of Object.entries(PHASE_TABLE) as Array<[PhaseId, string]>) {
    it(`cancels ${phase} while it runs (held on ${table}): the ledger matches the rows`, async () => {
      const cycleId = 620 + PHASE_IDS.indexOf(phase);
      const locker: pg.PoolClient = await s.db.connect();
      try {
        await locker.query('BEGIN');
        await locker.query(`LOCK TABLE ${table} IN EXCLUSIVE MODE`);
        const { workflowId } = await s.ops.router.invoke('workflows.start', {
          cycleId,
          reportIds: [1, 2],
          skipPhases: [],
          autoApprove: true,
        });
        await waitFor(
          async () => (await phaseStatus(workflowId, phase)) === 'running',
          60_000,
          `${phase} to run`,
        );
        await s.ops.router.invoke('workflows.cancel', { workflowId, reason: 'matrix' });
        await locker.query('COMMIT');
        const done = await outcome(s.ops, workflowId);
        expect(done.ok).toBe(false);
        const ledger = await expectLedgerMatchesRows(s.db, cycleId, workflowId);
        expect(ledger.map((l) => l.phase)).toContain(phase);
      } finally {
        await locker.query('ROLLBACK').catch(() => undefined);
        locker.release();
      }
    });
  }
});

describe('a compensation that fails', () => {
  const workflowId = 'test-cycle-701';

  it('ends the cycle compensation_failed, logs failed, alerts, and compensates the independent phases', async () => {
    // Test execution fails for good; then withdrawing the RFIs and deleting the samples are refused.
    await s.db.query(`INSERT INTO test_refusals VALUES ($1, 'executeTests')`, [workflowId]);
    await s.db.query(`
      CREATE OR REPLACE FUNCTION test_refuse_701() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.cycle_id = 701 AND TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'refused for the test: % of cycle 701', TG_TABLE_NAME;
        ELSIF OLD.cycle_id = 701 THEN
          IF NEW.status = 'withdrawn' THEN
            RAISE EXCEPTION 'refused for the test: % of cycle 701', TG_TABLE_NAME;
          END IF;
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
      END $$;
      CREATE TRIGGER test_refuse_701 BEFORE DELETE ON samples FOR EACH ROW EXECUTE FUNCTION test_refuse_701();
      CREATE TRIGGER test_refuse_701 BEFORE UPDATE ON rfis FOR EACH ROW EXECUTE FUNCTION test_refuse_701();`);
    await s.ops.router.invoke('workflows.start', {
      cycleId: 701,
      reportIds: [1, 2],
      skipPhases: [],
      autoApprove: true,
    });
    const done = await outcome(s.ops, workflowId);
    expect(done.ok).toBe(false);
    if (!done.ok)
      expect(done.error.message).toMatch(/Compensation failed for request_for_information, sample_selection/);

    // Temporal, the tracking rows, the list and the graph agree.
    const described = await (await s.ops.cycles.client()).workflow.getHandle(workflowId).describe();
    expect(described.status.name).toBe('FAILED');
    const [exec] = await rows(s.db, 'SELECT status FROM workflow_executions WHERE workflow_id = $1', [
      workflowId,
    ]);
    expect(exec).toEqual({ status: 'compensation_failed' });
    const list = await s.ops.router.invoke('inspection.list', { text: workflowId });
    expect(list.rows.find((r) => r.workflowId === workflowId)?.status).toBe('compensation_failed');
    const detail = await s.ops.router.invoke('inspection.detail', { workflowId });
    expect(detail.status).toBe('compensation_failed');
    const state = (p: string) => detail.phases.find((x) => x.phase === p)?.state;
    expect(state('request_for_information')).toBe('compensation_failed');
    expect(state('sample_selection')).toBe('compensation_failed');
    expect(state('data_owner_identification')).toBe('compensated');
    expect(state('planning')).toBe('compensated');

    const ledger = await ledgerOf(s.db, workflowId);
    const outcomeOf = Object.fromEntries(ledger.map((l) => [l.phase, l.outcome]));
    expect(outcomeOf).toEqual({
      test_execution: 'done',
      request_for_information: 'failed',
      data_owner_identification: 'done',
      sample_selection: 'failed',
      scoping: 'done',
      planning: 'done',
    });
    const failed = detail.compensations.filter((c) => c.outcome === 'failed');
    expect(failed.map((c) => c.error)).toEqual([
      expect.stringMatching(/refused for the test: rfis/),
      expect.stringMatching(/refused for the test: samples/),
    ]);
    const alerts = await rows(
      s.db,
      `SELECT phase, severity FROM workflow_alerts WHERE workflow_id = $1 AND kind = 'compensation_failed' ORDER BY id`,
      [workflowId],
    );
    expect(alerts).toEqual([
      { phase: 'request_for_information', severity: 'critical' },
      { phase: 'sample_selection', severity: 'critical' },
    ]);
    // The refused step changed nothing: the samples are all still there.
    const [samples] = await rows<{ n: number }>(
      s.db,
      'SELECT count(*)::int AS n FROM samples WHERE cycle_id = 701',
    );
    expect(samples!.n).toBeGreaterThan(0);
  });

  it('a retry after the cause is removed turns the entry done, with the rows it removed', async () => {
    await s.db.query('DROP TRIGGER test_refuse_701 ON samples');
    const result = await s.ops.router.invoke('compensation.retry', { workflowId, phase: 'sample_selection' });
    expect(result).toEqual({ done: ['sample_selection'], failed: [] });
    const entry = (await ledgerOf(s.db, workflowId)).find((l) => l.phase === 'sample_selection')!;
    expect(entry.outcome).toBe('done');
    const [deleted] = await rows<{ n: number }>(
      s.db,
      `SELECT count(*)::int AS n FROM test_row_journal WHERE cycle_id = 701 AND tbl = 'samples' AND op = 'DELETE'`,
    );
    expect(entry.detail.removed.samples).toBe(deleted!.n);
    expect(deleted!.n).toBeGreaterThan(0);
    const graph = await s.ops.router.invoke('inspection.phases', { workflowId });
    expect(graph.phases.find((p) => p.phase === 'sample_selection')?.state).toBe('compensated');
  });

  it('mark resolved records the note, and both actions are in the audit trail', async () => {
    const bad = await s.ops.router.call('compensation.resolve', { workflowId, phase: 'planning', note: 'x' });
    expect(bad.ok).toBe(false);
    const notFailed = await s.ops.router.call('compensation.resolve', {
      workflowId,
      phase: 'planning',
      note: 'nothing to resolve here',
    });
    expect(notFailed.ok).toBe(false);
    if (!notFailed.ok) expect(notFailed.error.code).toBe('CONFLICT');

    await s.ops.router.invoke('compensation.resolve', {
      workflowId,
      phase: 'request_for_information',
      note: 'owners told by phone; RFIs closed by hand',
    });
    const graph = await s.ops.router.invoke('inspection.phases', { workflowId });
    const entry = graph.compensations.find((c) => c.phase === 'request_for_information')!;
    expect(entry).toMatchObject({
      outcome: 'resolved',
      resolutionNote: 'owners told by phone; RFIs closed by hand',
    });
    expect(entry.resolvedBy).toBeTruthy();
    expect(entry.resolvedAt).toBeTruthy();
    const audit = await s.ops.router.invoke('audit.list', {});
    const ops = audit.entries.map((e) => `${e.op}:${e.outcome}`);
    expect(ops).toContain('compensation.retry:ok');
    expect(ops).toContain('compensation.resolve:ok');
  });
});

describe('resume after manual intervention', () => {
  it('waits for the operator when a data owner has no email address; Retry phase completes the cycle', async () => {
    const ownerId = await addProblemReport(s.db, {
      id: 50,
      name: 'Report of an unreachable owner',
      population: 60,
      owner: 'Owner without address',
    });
    const { workflowId } = await s.ops.router.invoke('workflows.start', {
      cycleId: 801,
      reportIds: [1, 50],
      skipPhases: [],
      autoApprove: true,
      waitForOperator: true,
    });
    await waitFor(
      async () =>
        (
          await rows(
            s.db,
            `SELECT 1 FROM workflow_executions WHERE workflow_id = $1 AND status = 'needs_attention'`,
            [workflowId],
          )
        ).length > 0,
      60_000,
      'the cycle to need attention',
    );
    const list = await s.ops.router.invoke('inspection.list', { text: workflowId });
    expect(list.rows[0]?.status).toBe('needs_attention');
    const detail = await s.ops.router.invoke('inspection.detail', { workflowId });
    expect(detail.status).toBe('needs_attention');
    const phase = detail.phases.find((p) => p.phase === 'request_for_information')!;
    expect(phase.state).toBe('needs_attention');
    expect(phase.lastFailure).toMatch(/Owner without address.*no email address/);
    const [alert] = await rows<{ severity: string; message: string }>(
      s.db,
      `SELECT severity, message FROM workflow_alerts WHERE workflow_id = $1 AND kind = 'needs_attention'`,
      [workflowId],
    );
    expect(alert!.severity).toBe('critical');
    expect(alert!.message).toMatch(/give the data owner an email address/);

    // A decision the phase does not allow is refused, and changes nothing.
    const tooEarly = await s.ops.router.call('workflows.decide', {
      workflowId: 'test-cycle-612',
      decision: 'retry',
      by: 'qa-lead',
    });
    expect(tooEarly.ok).toBe(false);

    await s.db.query(`UPDATE data_owners SET email = 'reachable@demo.invalid' WHERE id = $1`, [ownerId]);
    const decided = await s.ops.router.invoke('workflows.decide', {
      workflowId,
      decision: 'retry',
      by: 'qa-lead',
      note: 'address added',
    });
    expect(decided).toEqual({ accepted: 'retry' });
    const done = await outcome(s.ops, workflowId);
    expect(done.ok, done.ok ? '' : done.error.message).toBe(true);

    // Every tracking row once: one row per phase, all completed; one decision step; no compensation.
    const phases = await rows<{ phase: string; status: string }>(
      s.db,
      'SELECT phase, status FROM workflow_phases WHERE workflow_id = $1 ORDER BY phase_number',
      [workflowId],
    );
    expect(phases).toEqual(PHASE_IDS.map((p) => ({ phase: p, status: 'completed' })));
    const steps = await rows<{ step: string; status: string; detail: { decision?: string; by?: string } }>(
      s.db,
      `SELECT step, status, detail FROM workflow_steps WHERE workflow_id = $1 AND step LIKE 'operator_decision%'`,
      [workflowId],
    );
    expect(steps).toEqual([
      {
        step: 'operator_decision',
        status: 'done',
        detail: expect.objectContaining({ decision: 'retry', by: 'qa-lead' }),
      },
    ]);
    const dup = await rows(
      s.db,
      `SELECT from_phase, to_phase, count(*) FROM workflow_transitions WHERE workflow_id = $1 GROUP BY 1, 2 HAVING count(*) > 1`,
      [workflowId],
    );
    expect(dup).toEqual([]);
    const [exec] = await rows(s.db, 'SELECT status FROM workflow_executions WHERE workflow_id = $1', [
      workflowId,
    ]);
    expect(exec).toEqual({ status: 'completed' });
    expect(await ledgerOf(s.db, workflowId)).toEqual([]);
    const rfis = await rows(s.db, `SELECT report_id FROM rfis WHERE cycle_id = 801 ORDER BY 1`);
    expect(rfis).toEqual([{ report_id: 1 }, { report_id: 50 }]);
  });

  it('refuses Skip for a phase later phases need, and Abandon compensates as a failure would', async () => {
    await addProblemReport(s.db, { id: 51, name: 'Ownerless report', population: 30, owner: null });
    const { workflowId } = await s.ops.router.invoke('workflows.start', {
      cycleId: 802,
      reportIds: [1, 51],
      skipPhases: [],
      autoApprove: true,
      waitForOperator: true,
    });
    await waitFor(
      async () => (await phaseStatus(workflowId, 'data_owner_identification')) === 'needs_attention',
      60_000,
      'the phase to need attention',
    );
    const skip = await s.ops.router.call('workflows.decide', { workflowId, decision: 'skip', by: 'qa-lead' });
    expect(skip.ok).toBe(false);
    if (!skip.ok) expect(skip.error.message).toMatch(/cannot be skipped/);
    expect(await phaseStatus(workflowId, 'data_owner_identification')).toBe('needs_attention');

    await s.ops.router.invoke('workflows.decide', { workflowId, decision: 'abandon', by: 'qa-lead' });
    const done = await outcome(s.ops, workflowId);
    expect(done.ok).toBe(false);
    const ledger = await expectLedgerMatchesRows(s.db, 802, workflowId);
    expect(ledger[0]!.phase).toBe('data_owner_identification');
    const [exec] = await rows(s.db, 'SELECT status FROM workflow_executions WHERE workflow_id = $1', [
      workflowId,
    ]);
    expect(exec).toEqual({ status: 'failed' });
  });

  it('Skip phase goes on without a phase that allows it', async () => {
    const owner = await rows<{ id: number }>(
      s.db,
      `INSERT INTO data_owners (name) VALUES ('Silent owner') RETURNING id`,
    );
    await s.db.query(
      `INSERT INTO reports (id, name, data_owner_id, population_size) VALUES (52, 'Silent report', $1, 30)`,
      [owner[0]!.id],
    );
    const { workflowId } = await s.ops.router.invoke('workflows.start', {
      cycleId: 803,
      reportIds: [1, 52],
      skipPhases: [],
      autoApprove: true,
      waitForOperator: true,
    });
    await waitFor(
      async () => (await phaseStatus(workflowId, 'request_for_information')) === 'needs_attention',
      60_000,
      'the phase to need attention',
    );
    await s.ops.router.invoke('workflows.decide', {
      workflowId,
      decision: 'skip',
      by: 'qa-lead',
      note: 'owners asked by phone',
    });
    const done = await outcome(s.ops, workflowId);
    expect(done.ok, done.ok ? '' : done.error.message).toBe(true);
    expect(await phaseStatus(workflowId, 'request_for_information')).toBe('skipped');
    expect(await phaseStatus(workflowId, 'finalize_test_report')).toBe('completed');
  });
});
