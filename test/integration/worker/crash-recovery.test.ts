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
    // Kill the moment a phase reports running (its notice reaches the console before the phase's work ends). One
    // notice can name several phases (the parallel pair starts together): one kill of that worker covers them.
    const kills: Array<{ pid: number; phases: PhaseId[] }> = [];
    const unsubscribe = s.ops.router.events.subscribe((name, payload) => {
      const e = payload as { workflowId: string; table: string; phase?: PhaseId; kind: string };
      if (name !== 'workflow.progress' || e.workflowId !== workflowId || e.kind !== 'phase:running') return;
      if (!e.phase || kills.some((k) => k.phases.includes(e.phase!))) return;
      const pid = s.ops.worker.pid;
      if (!pid) return;
      const last = kills.at(-1);
      if (last?.pid === pid) return void last.phases.push(e.phase);
      kills.push({ pid, phases: [e.phase] });
      process.kill(pid, 'SIGKILL');
    });
    const killed = () => kills.flatMap((k) => k.phases);
    const statusAtKill: Array<[string, string]> = [];
    try {
      await s.ops.router.invoke('workflows.start', {
        cycleId: 401,
        reportIds: [1, 2],
        skipPhases: [],
        autoApprove: true,
      });
      for (let handled = 0; handled < kills.length || killed().length < PHASE_IDS.length; handled++) {
        await waitFor(() => kills.length > handled, 120_000, `a kill after ${killed().join(', ') || 'none'}`);
        await waitFor(
          () => s.ops.worker.current().state === 'backoff',
          30_000,
          'the supervisor to see the crash',
        );
        // The worker is dead, so the tracking tables are frozen: a killed phase is running, or completed when its
        // last activity's work committed (the completion is in that commit) before the kill landed; Temporal has
        // not heard of it then, and retries the activity, which must double nothing.
        for (const phase of kills[handled]!.phases) {
          const [row] = await rows<{ status: string }>(
            s.db,
            'SELECT status FROM workflow_phases WHERE workflow_id = $1 AND phase = $2',
            [workflowId, phase],
          );
          statusAtKill.push([phase, row!.status]);
        }
        await s.ops.worker.start(); // the operator's "start now" instead of waiting out the backoff
      }
      expect(new Set(statusAtKill.map(([p]) => p))).toEqual(new Set(PHASE_IDS));
      for (const [phase, status] of statusAtKill) expect(['running', 'completed'], phase).toContain(status);
      const done = await outcome(s.ops, workflowId);
      expect(done.ok, done.ok ? '' : done.error.message).toBe(true);
    } finally {
      unsubscribe();
    }
    // Every phase but the parallel pair's second may share a kill: at least seven kills, each a restart.
    expect(kills.length).toBeGreaterThanOrEqual(PHASE_IDS.length - 1);
    expect(s.ops.worker.current().restarts).toBeGreaterThanOrEqual(kills.length);

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
