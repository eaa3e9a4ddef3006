// The scaled-out worker: 1 → 3 → 1 processes while cycles run loses nothing (every phase and activity once,
// every cycle completes), and the status reports each process.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_NICENESS } from '../../../main/stack/priority';
import { PHASE_IDS } from '../../../shared/phases';
import { niceOf, sessionIdOf, threadNiceOf } from '../../support/session-shares';
import {
  finishSteps,
  logLinesSince,
  outcome,
  rows,
  startCycleStack,
  waitFor,
  type CycleStack,
} from '../../support/cycle-stack';

let s: CycleStack;
const workerLines = (since: string) => logLinesSince(s.ops, 'worker', since);

beforeAll(async () => {
  s = await startCycleStack();
  await s.ops.router.invoke('workflows.createDemoData', { reports: 4 });
});

afterAll(async () => {
  await s?.stop();
});

describe('scaled-out worker', () => {
  it('scales 1 → 3 → 1 mid-cycle and loses nothing', async () => {
    expect(s.ops.worker.current().processes).toHaveLength(1);
    const ids: string[] = [];
    // Without auto-approval each cycle stops at the scope approval: scaling up happens mid-cycle for sure.
    for (const cycleId of [301, 302, 303]) {
      const started = await s.ops.router.invoke('workflows.start', {
        cycleId,
        reportIds: [1, 2, 3, 4],
        autoApprove: false,
      });
      ids.push(started.workflowId);
    }
    const waiting = async (id: string) =>
      JSON.stringify(await s.ops.router.invoke('workflows.progress', { workflowId: id })).includes(
        'scope_approval',
      );
    for (const id of ids) await waitFor(() => waiting(id), 60_000, `${id} to wait for scope approval`);

    const up = await s.ops.router.invoke('worker.scale', { processes: 3 });
    expect(up.processes!.filter((p) => p.state === 'running')).toHaveLength(3);
    expect(new Set(s.ops.worker.pids()).size).toBe(3);
    expect(s.ops.settings.get().worker.processes).toBe(3);

    // Give every cycle's steps as they come, and drain down to one process while the phases run.
    const finishing = Promise.all(ids.map((workflowId) => finishSteps(s, workflowId, 'scale-out test')));
    const down = await s.ops.router.invoke('worker.scale', { processes: 1 });
    expect(down.processes!.filter((p) => p.state === 'running')).toHaveLength(1);
    expect(down.processes!.filter((p) => p.state === 'stopped')).toHaveLength(2);
    expect(s.ops.worker.pids()).toHaveLength(1);
    expect(down.desiredProcesses).toBe(1);
    await finishing;

    for (const workflowId of ids) {
      const done = await outcome(s.ops, workflowId);
      expect(done.ok, done.ok ? '' : done.error.message).toBe(true);
      const phases = await rows<{ phase: string; status: string }>(
        s.db,
        'SELECT phase, status FROM workflow_phases WHERE workflow_id = $1 ORDER BY phase_number',
        [workflowId],
      );
      expect(phases.map((p) => p.phase)).toEqual([...PHASE_IDS]);
      expect(phases.every((p) => p.status === 'completed')).toBe(true);
      const activities = await rows<{ status: string }>(
        s.db,
        'SELECT status FROM workflow_activities WHERE workflow_id = $1',
        [workflowId],
      );
      expect(activities.every((a) => a.status === 'completed')).toBe(true);
    }
    const reports = await rows<{ cycle_id: number }>(
      s.db,
      'SELECT cycle_id FROM final_reports WHERE cycle_id IN (301, 302, 303) ORDER BY cycle_id',
    );
    expect(reports.map((r) => r.cycle_id)).toEqual([301, 302, 303]);

    // The audit trail recorded both scale actions.
    const audit = await s.ops.router.invoke('audit.list', { op: 'worker.scale' });
    expect(audit.entries.map((e) => (e.input as { processes: number }).processes)).toEqual([1, 3]);
  });

  it('starts a worker at normal priority and lowers every thread once it polls; a stop while it starts ends it at once', async () => {
    await s.ops.worker.stop();
    // The worker's nice the moment it is started (read as the supervisor tells it starts).
    let atStart: number | undefined;
    let stopping: Promise<unknown> | undefined;
    let stopWhileStarting = false;
    const unsubscribe = s.ops.router.events.subscribe((name, payload) => {
      const { processes } = payload as { processes: Array<{ state: string; pid?: number }> };
      const starting = name === 'worker.status' && processes[0]?.state === 'starting' ? processes[0].pid : 0;
      if (!starting) return;
      atStart ??= niceOf(starting);
      if (stopWhileStarting) stopping ??= s.ops.worker.stop();
    });
    try {
      const started = await s.ops.worker.start();
      expect(atStart).toBe(0);
      expect(started.processes![0]!.state).toBe('running');
      const pid = s.ops.worker.pid!;
      // Every thread (Node's, the workflows' and Temporal's core's) yields once it polls.
      const threads = fs.readdirSync(`/proc/${pid}/task`).map(Number);
      expect(threads.length).toBeGreaterThan(4);
      expect(threads.map((tid) => threadNiceOf(pid, tid))).toEqual(threads.map(() => SERVICE_NICENESS));
      // It stays in the console's session, so its work comes out of the console's share (below the console's own
      // threads), not from a share of its own beside the console's.
      expect(sessionIdOf(pid)).toBe(sessionIdOf(process.pid));
      await s.ops.worker.stop();

      // A stop while it starts: it holds no work yet, so it ends at once, and the start ends with it, quietly.
      stopWhileStarting = true;
      const since = new Date().toISOString();
      const start = await s.ops.worker.start();
      expect(stopping).toBeDefined();
      const stopped = (await stopping) as { processes: Array<{ state: string }> };
      expect(stopped.processes[0]!.state).toBe('stopped');
      expect(start.processes![0]!.state).toBe('stopped');
      expect(s.ops.worker.pid).toBeUndefined();
      const lines = workerLines(since);
      expect(lines.some((l) => l.includes('worker polling'))).toBe(false);
      expect(lines.some((l) => /exited|crashed/.test(l))).toBe(false);
      expect(lines).toContain('worker process 0 stopped');
    } finally {
      unsubscribe();
    }

    // Before a recovery, a polling worker stops without draining: the databases are about to be replaced.
    await s.ops.worker.start();
    const since = new Date().toISOString();
    const now = await s.ops.worker.stop({ discarding: true });
    expect(now.processes![0]!.state).toBe('stopped');
    const lines = workerLines(since);
    expect(lines.some((l) => l.includes('draining'))).toBe(false);
    expect(lines).toContain(
      'the databases are about to be replaced: the worker stops without finishing its tasks',
    );
    await s.ops.worker.start();
  });
});
