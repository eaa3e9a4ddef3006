// TestCycleWorkflow end to end on the real embedded stack: phases, tracking rows, the parallel pair, NOTIFY events.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUrl } from '../../../main/stack';
import type { TrackBatch } from '../../../shared/workflow';
import type { ActivityDeps } from '../../../worker/activities/context';
import { track } from '../../../worker/activities/tracking';
import { PHASE_IDS, PHASE_STATE_RANK, phaseStateMoves } from '../../../shared/phases';
import {
  outcome,
  rows,
  startCycleStack,
  waitFor,
  waitingAt,
  type CycleStack,
} from '../../support/cycle-stack';

let s: CycleStack;

beforeAll(async () => {
  s = await startCycleStack();
  await s.ops.router.invoke('workflows.createDemoData', { reports: 3 });
});

afterAll(async () => {
  await s?.stop();
});

describe('a full test cycle', () => {
  it('runs all eight phases to a final report with every tracking row written once', async () => {
    const started = await s.ops.router.invoke('workflows.start', {
      cycleId: 101,
      reportIds: [1, 2, 3],
      skipPhases: [],
      autoApprove: true,
    });
    expect(started.alreadyRunning).toBe(false);
    const done = await outcome(s.ops, started.workflowId);
    expect(done.ok, done.ok ? '' : done.error.message).toBe(true);

    const phases = await rows<{ phase: string; status: string; duration_ms: number | null }>(
      s.db,
      'SELECT phase, status, duration_ms FROM workflow_phases WHERE workflow_id = $1 ORDER BY phase_number',
      [started.workflowId],
    );
    expect(phases.map((p) => p.phase)).toEqual([...PHASE_IDS]);
    expect(phases.every((p) => p.status === 'completed' && p.duration_ms !== null)).toBe(true);

    const [exec] = await rows<{ status: string; version: number }>(
      s.db,
      'SELECT status, version FROM workflow_executions WHERE workflow_id = $1',
      [started.workflowId],
    );
    expect(exec).toMatchObject({ status: 'completed', version: 5 });

    const [report] = await rows<{ document: { executions: number; summary: string; reports: unknown[] } }>(
      s.db,
      'SELECT document FROM final_reports WHERE cycle_id = 101',
    );
    expect(report!.document.reports).toHaveLength(3);
    expect(report!.document.executions).toBe(3 * 5 * 5);
    expect(report!.document.summary).toMatch(/tests executed/);

    const attrs = await rows<{ generator: string }>(
      s.db,
      'SELECT DISTINCT generator FROM test_attributes WHERE cycle_id = 101',
    );
    expect(attrs).toEqual([{ generator: 'rule-based (no LLM configured)' }]);

    const metrics = await rows(
      s.db,
      `SELECT phase FROM workflow_metrics WHERE workflow_id = $1 AND metric = 'duration_ms'`,
      [started.workflowId],
    );
    expect(metrics).toHaveLength(8);
    const transitions = await rows<{ from_phase: string; to_phase: string }>(
      s.db,
      'SELECT from_phase, to_phase FROM workflow_transitions WHERE workflow_id = $1',
      [started.workflowId],
    );
    expect(transitions).toEqual(
      expect.arrayContaining([
        { from_phase: 'scoping', to_phase: 'sample_selection' },
        { from_phase: 'scoping', to_phase: 'data_owner_identification' },
        { from_phase: 'sample_selection', to_phase: 'request_for_information' },
        { from_phase: 'data_owner_identification', to_phase: 'request_for_information' },
        { from_phase: 'finalize_test_report', to_phase: 'end' },
      ]),
    );
    const activities = await rows<{ activity_type: string; attempts: number; status: string }>(
      s.db,
      'SELECT activity_type, attempts, status FROM workflow_activities WHERE workflow_id = $1',
      [started.workflowId],
    );
    expect(activities.length).toBeGreaterThanOrEqual(10);
    expect(activities.every((a) => a.status === 'completed' && a.attempts === 1)).toBe(true);

    // Every tracking write raised a NOTIFY that reached the console as a workflow.progress event.
    const mine = s.events.filter((e) => e.workflowId === started.workflowId);
    expect(mine.some((e) => e.table === 'workflow_phases' && e.phase === 'finalize_test_report')).toBe(true);
    expect(mine.some((e) => e.table === 'workflow_activities')).toBe(true);
  });

  it('runs phases 3 and 4 at the same time', async () => {
    const started = await s.ops.router.invoke('workflows.start', {
      cycleId: 102,
      reportIds: [1, 2, 3],
      skipPhases: [],
      autoApprove: true,
    });
    await outcome(s.ops, started.workflowId);
    const [a, b] = await rows<{ started_at: Date; finished_at: Date }>(
      s.db,
      `SELECT started_at, finished_at FROM workflow_phases WHERE workflow_id = $1
         AND phase IN ('sample_selection', 'data_owner_identification') ORDER BY phase`,
      [started.workflowId],
    );
    // Overlap: each started before the other finished.
    expect(a!.started_at.getTime()).toBeLessThan(b!.finished_at.getTime());
    expect(b!.started_at.getTime()).toBeLessThan(a!.finished_at.getTime());
    const [rfi] = await rows<{ started_at: Date }>(
      s.db,
      `SELECT started_at FROM workflow_phases WHERE workflow_id = $1 AND phase = 'request_for_information'`,
      [started.workflowId],
    );
    expect(rfi!.started_at.getTime()).toBeGreaterThanOrEqual(
      Math.max(a!.finished_at.getTime(), b!.finished_at.getTime()),
    );
  });

  it('raises an alert for a phase that ran longer than its activities are expected to', async () => {
    // The expectation is data (the templates), so an operator tightens it and the next slow phase is flagged.
    await s.db.query(
      `UPDATE workflow_activity_templates SET expected_duration_ms = 1 WHERE phase = 'scoping'`,
    );
    try {
      const { workflowId } = await s.ops.router.invoke('workflows.start', {
        cycleId: 105,
        reportIds: [1],
        skipPhases: [],
        autoApprove: false,
      });
      await waitingAt(s.db, workflowId, 'scope_approval');
      await s.ops.router.invoke('workflows.approveScope', { workflowId, approved: true, by: 'qa' });
      await waitFor(
        async () =>
          (
            await rows(
              s.db,
              `SELECT 1 FROM workflow_steps WHERE workflow_id = $1 AND step = 'rfi_responses'`,
              [workflowId],
            )
          ).length > 0,
        60_000,
        'the cycle to reach phase 5',
      );
      await s.ops.router.invoke('workflows.cancel', { workflowId, reason: 'done with the check' });
      await outcome(s.ops, workflowId);
      const alerts = await rows<{ phase: string; kind: string; severity: string }>(
        s.db,
        `SELECT phase, kind, severity FROM workflow_alerts WHERE workflow_id = $1 AND kind = 'phase_over_expected'`,
        [workflowId],
      );
      expect(alerts).toEqual([{ phase: 'scoping', kind: 'phase_over_expected', severity: 'warning' }]);
    } finally {
      await s.db.query(
        `UPDATE workflow_activity_templates SET expected_duration_ms = 5000 WHERE phase = 'scoping'`,
      );
    }
  });

  it('is idempotent on the cycle id while running, and refuses a completed cycle', async () => {
    await s.ops.router.invoke('workflows.start', {
      cycleId: 103,
      reportIds: [1],
      skipPhases: [],
      autoApprove: false,
    });
    const again = await s.ops.router.invoke('workflows.start', {
      cycleId: 103,
      reportIds: [1],
      skipPhases: [],
      autoApprove: false,
    });
    expect(again.alreadyRunning).toBe(true);
    const second = await s.ops.router.call('workflows.start', {
      cycleId: 101,
      reportIds: [1],
      skipPhases: [],
    });
    expect(second.ok).toBe(false);
    if (!second.ok) expect(second.error.code).toBe('CONFLICT');
    const missing = await s.ops.router.call('workflows.start', {
      cycleId: 104,
      reportIds: [999],
      skipPhases: [],
    });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error.message).toMatch(/Report 999 does not exist/);
    await s.ops.router.invoke('workflows.cancel', { workflowId: 'test-cycle-103', reason: 'test' });
  });
});

describe("a phase's tracking write", () => {
  it('moves a phase only forward (or from waiting for the operator back to running), as the console reads the states', async () => {
    const states = Object.keys(PHASE_STATE_RANK);
    const client = await s.db.connect();
    try {
      await client.query('BEGIN');
      for (const from of states)
        for (const to of states) {
          const run = `${from}->${to}`;
          await client.query(
            `INSERT INTO workflow_phases (workflow_id, run_id, phase, phase_number, status, compensation_strategy, started_at)
             VALUES ('rank-check', $1, 'planning', 1, $2, 'rollback', now() - interval '2 seconds')`,
            [run, from],
          );
          const moved = await client.query<{ moved: boolean }>(
            `SELECT ops_track_phase('rank-check', $1, 'planning', $2, NULL, $3, now()) AS moved`,
            [run, to, to !== 'running'],
          );
          const [row] = (
            await client.query<{ status: string; duration_ms: number | null }>(
              `SELECT status, duration_ms FROM workflow_phases WHERE workflow_id = 'rank-check' AND run_id = $1`,
              [run],
            )
          ).rows;
          expect({ run, moved: moved.rows[0]!.moved, status: row!.status }).toEqual({
            run,
            moved: phaseStateMoves(from, to),
            status: phaseStateMoves(from, to) ? to : from,
          });
          // A phase that ends gets its duration; one that runs again has none.
          if (phaseStateMoves(from, to) && ['completed', 'failed', 'skipped'].includes(to))
            expect(row!.duration_ms, run).toBeGreaterThanOrEqual(2000);
          if (phaseStateMoves(from, to) && to === 'running') expect(row!.duration_ms, run).toBeNull();
        }
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('writes a tracking batch without a warning from the server, and a failed batch leaves nothing behind', async () => {
    // One connection, so a batch that left its transaction open would fail the next query on it.
    const spec = s.ops.stack.spec();
    const pool = new pg.Pool({
      connectionString: postgresUrl(spec.appPostgres, spec.appPostgres.database),
      max: 1,
    });
    const warnings: string[] = [];
    pool.on('connect', (client) => client.on('notice', (n) => warnings.push(n.message ?? '')));
    const deps = { pool } as unknown as ActivityDeps;
    const batch = (workflowId: string, cycleId: number): TrackBatch => ({
      workflowId,
      runId: 'run-1',
      cycleId,
      version: 5,
      events: [
        { kind: 'transition', from: 'start', to: 'planning' },
        { kind: 'execution', status: 'running' },
      ],
    });
    const written = (workflowId: string) =>
      rows(s.db, 'SELECT to_phase FROM workflow_transitions WHERE workflow_id = $1', [workflowId]);
    try {
      await track(deps, batch('track-check', 101));
      expect(await written('track-check')).toEqual([{ to_phase: 'planning' }]);
      // The execution's cycle id does not fit its column: the batch fails after its first write, which is undone.
      await expect(track(deps, batch('track-fails', 2 ** 40))).rejects.toThrow(/out of range/);
      expect(await written('track-fails')).toEqual([]);
      expect((await pool.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
      expect(warnings).toEqual([]);
    } finally {
      await pool.end();
    }
  });
});
