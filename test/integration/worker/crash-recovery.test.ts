// kill -9 of the worker during each of the eight phases, then a restart: the cycle completes and no tracking or
// business row is doubled. Real worker process, real Temporal server, real Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHASE_IDS, type PhaseId } from '../../../shared/phases';
import { outcome, rows, startCycleStack, waitFor, type CycleStack } from '../../support/cycle-stack';

let s: CycleStack;

beforeAll(async () => {
  s = await startCycleStack({}, { activityTimeoutS: 3 });
  await s.ops.router.invoke('workflows.createDemoData', { reports: 2 });
});

afterAll(async () => {
  await s?.stop();
});

describe('worker crash recovery', () => {
  it('completes a cycle with the worker killed in every phase, without duplicate rows', async () => {
    const workflowId = 'test-cycle-401';
    const targets = [...PHASE_IDS];
    const kills: PhaseId[] = [];
    // Kill the moment a target phase reports running (its NOTIFY reaches the console before the phase's work ends).
    const unsubscribe = s.ops.router.events.subscribe((name, payload) => {
      const e = payload as { workflowId: string; table: string; phase?: PhaseId; kind: string };
      if (name !== 'workflow.progress' || e.workflowId !== workflowId || e.kind !== 'phase:running') return;
      if (e.phase !== targets[0] || !s.ops.worker.pid) return;
      process.kill(s.ops.worker.pid, 'SIGKILL');
      kills.push(targets.shift()!);
    });
    try {
      await s.ops.router.invoke('workflows.start', {
        cycleId: 401,
        reportIds: [1, 2],
        skipPhases: [],
        autoApprove: true,
      });
      const statusAtKill: Array<[string, string]> = [];
      for (let i = 0; i < PHASE_IDS.length; i++) {
        await waitFor(() => kills.length > i, 120_000, `a kill during ${PHASE_IDS[i]}`);
        await waitFor(
          () => s.ops.worker.current().state === 'backoff',
          30_000,
          'the supervisor to see the crash',
        );
        // The worker is dead, so the tracking tables are frozen: the killed phase must still be running.
        const [row] = await rows<{ status: string }>(
          s.db,
          'SELECT status FROM workflow_phases WHERE workflow_id = $1 AND phase = $2',
          [workflowId, kills[i]],
        );
        statusAtKill.push([kills[i]!, row!.status]);
        await s.ops.worker.start(); // the operator's "start now" instead of waiting out the backoff
      }
      expect(statusAtKill).toEqual(PHASE_IDS.map((p) => [p, 'running']));
      const done = await outcome(s.ops, workflowId);
      expect(done.ok, done.ok ? '' : done.error.message).toBe(true);
    } finally {
      unsubscribe();
    }
    expect(s.ops.worker.current().restarts).toBeGreaterThanOrEqual(8);

    const phases = await rows<{ status: string }>(
      s.db,
      'SELECT status FROM workflow_phases WHERE workflow_id = $1',
      [workflowId],
    );
    expect(phases).toHaveLength(8);
    expect(phases.every((p) => p.status === 'completed')).toBe(true);
    const perType = await rows<{ activity_type: string; n: number }>(
      s.db,
      'SELECT activity_type, count(*)::int AS n FROM workflow_activities WHERE workflow_id = $1 GROUP BY 1',
      [workflowId],
    );
    expect(perType.every((r) => r.n === 1)).toBe(true);
    const count = async (sql: string) => (await rows<{ n: number }>(s.db, sql))[0]!.n;
    expect(await count('SELECT count(*)::int AS n FROM test_attributes WHERE cycle_id = 401')).toBe(10);
    expect(await count('SELECT count(*)::int AS n FROM samples WHERE cycle_id = 401')).toBe(10);
    expect(await count('SELECT count(*)::int AS n FROM test_executions WHERE cycle_id = 401')).toBe(50);
    expect(await count('SELECT count(*)::int AS n FROM rfis WHERE cycle_id = 401')).toBe(2);
    expect(
      await count(`SELECT count(*)::int AS n FROM message_outbox WHERE cycle_id = 401 AND kind = 'rfi'`),
    ).toBe(2);
    expect(await count('SELECT count(*)::int AS n FROM final_reports WHERE cycle_id = 401')).toBe(1);
    // One of each phase metric (its duration, its work and its waiting for a person) per phase, never two.
    expect(
      await rows<{ metric: string; n: number }>(
        s.db,
        `SELECT metric, count(*)::int AS n FROM workflow_metrics WHERE workflow_id = $1 GROUP BY 1 ORDER BY 1`,
        [workflowId],
      ),
    ).toEqual(['active_ms', 'duration_ms', 'waiting_ms'].map((metric) => ({ metric, n: 8 })));
    const dupTransitions = await count(
      `SELECT count(*)::int AS n FROM (SELECT from_phase, to_phase FROM workflow_transitions WHERE workflow_id = '${workflowId}'
         GROUP BY 1, 2 HAVING count(*) > 1) d`,
    );
    expect(dupTransitions).toBe(0);
    // Eight kills, each waited out and restarted: 90 s on a loaded machine, too close to the default 120 s.
  }, 300_000);
});
