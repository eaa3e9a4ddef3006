// The inspection operations against a real stack and worker: list, phase states, detail, history, preview, ledger.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryFollowers } from '../../../main/inspection/history-followers';
import { startCycleStack, waitFor, type CycleStack } from '../../support/cycle-stack';

let stack: CycleStack;
const call = <T>(op: string, input: unknown) => stack.ops.router.invoke(op, input) as Promise<T>;

beforeAll(async () => {
  stack = await startCycleStack({ autoApprove: false });
  await stack.ops.router.invoke('workflows.createDemoData', { reports: 2 });
});

afterAll(async () => {
  await stack?.stop();
});

type Phases = { status: string; phases: Array<{ phase: string; state: string }>; compensations: unknown[] };
type HistoryRead = {
  events: Array<{ id: number; type: string; time: string }>;
  nextPageToken: string | null;
  after?: { id: number; time: string } | null;
};
const ids = (events: Array<{ id: number }>) => events.map((e) => e.id);
/** The whole history, read from Temporal (a read with no `afterEventId` never comes from a followed history). */
const wholeHistory = async (workflowId: string) =>
  (await call<HistoryRead>('inspection.history', { workflowId, pageSize: 1000 })).events;
const scopingRuns = (workflowId: string) =>
  waitFor(
    async () =>
      (await call<Phases>('inspection.phases', { workflowId }).catch(() => undefined))?.phases.find(
        (p) => p.phase === 'scoping',
      )?.state === 'running',
    60_000,
    'scoping to run',
  );

/**
 * A cycle started without auto-approval, once it waits in Scoping for the approval and its history is at rest:
 * Temporal has no workflow task or activity of it pending (the step's tracking, a local activity, is recorded with
 * the task that ran it; until then its history still grows).
 */
const startToScoping = async (cycleId: number, reportIds: number[]) => {
  const started = await call<{ workflowId: string; runId: string }>('workflows.start', {
    cycleId,
    reportIds,
    autoApprove: false,
  });
  await scopingRuns(started.workflowId);
  const handle = (await stack.ops.cycles.client()).workflow.getHandle(started.workflowId);
  await waitFor(
    async () => {
      const { waitingFor } = await call<{ waitingFor: string[] }>('inspection.detail', {
        workflowId: started.workflowId,
      });
      const { raw } = await handle.describe();
      return (
        waitingFor.includes('scope_approval') && !raw.pendingWorkflowTask && !raw.pendingActivities?.length
      );
    },
    60_000,
    'the cycle to wait for the scope approval, its history at rest',
  );
  return started;
};

describe('inspection on a real stack', () => {
  it('lists a started cycle, shows it waiting for scope approval, previews its cancel and pages its history', async () => {
    const { workflowId } = await startToScoping(501, [1, 2]);
    const list = await call<{ total: number; rows: Array<{ workflowId: string; currentPhase: string }> }>(
      'inspection.list',
      { text: '501' },
    );
    expect(list.rows.map((r) => r.workflowId)).toEqual([workflowId]);
    expect(list.rows[0]!.currentPhase).toBe('scoping');
    // A change of the whole cycle names no phase; its notice reaches the console all the same.
    await waitFor(
      async () =>
        stack.events.some(
          (e) => e.workflowId === workflowId && e.phase === undefined && e.kind.startsWith('execution:'),
        ),
      30_000,
      'a whole-cycle progress notice',
    );
    // Scoping runs its proposal first, then waits: the tracked human step says when it does.
    let detail: { waitingFor: string[]; activities: unknown[] } | undefined;
    await waitFor(
      async () => {
        const d = await call<{ waitingFor: string[]; activities: unknown[] }>('inspection.detail', {
          workflowId,
        });
        detail = d;
        return d.waitingFor.includes('scope_approval');
      },
      60_000,
      'the scope approval step',
    );
    expect(detail!.activities.length).toBeGreaterThan(0);
    const preview = await call<{ steps: Array<{ phase: string; strategy: string }> }>(
      'inspection.compensationPreview',
      { workflowId },
    );
    expect(preview.steps.map((s) => s.phase)).toEqual(['scoping', 'planning']);
    type Page = {
      events: Array<{ id: number; type: string; time: string }>;
      nextPageToken: string | null;
      after?: { id: number; time: string } | null;
    };
    const history = await call<Page>('inspection.history', { workflowId });
    expect(history.events[0]!.type).toBe('WorkflowExecutionStarted');
    // A view that holds the history up to an event asks only for what came after it, and is told that event.
    const middle = history.events[Math.floor(history.events.length / 2)]!;
    const newer = await call<Page>('inspection.history', { workflowId, afterEventId: middle.id });
    expect(newer.after).toEqual({ id: middle.id, time: middle.time });
    expect(newer.events.map((e) => e.id)).toEqual(
      history.events.filter((e) => e.id > middle.id).map((e) => e.id),
    );
    expect(newer.nextPageToken).toBeNull();
    const beyond = await call<Page>('inspection.history', { workflowId, afterEventId: 1_000_000 });
    expect(beyond).toMatchObject({ events: [], after: null });
    const both = await stack.ops.router.call('inspection.history', {
      workflowId,
      afterEventId: 1,
      pageToken: 'abc',
    });
    expect(both).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('cancels a cycle and lists its compensations in the ledger, in reverse order', async () => {
    const workflowId = 'test-cycle-501';
    await call('workflows.cancel', { workflowId, reason: 'the ledger check' });
    await waitFor(
      async () => (await call<Phases>('inspection.phases', { workflowId })).status === 'cancelled',
      60_000,
      'the cancel to finish',
    );
    const ledger = await call<{ rows: Array<{ phase: string }> }>('inspection.compensations', { workflowId });
    expect(ledger.rows.map((r) => r.phase).reverse()).toEqual(['scoping', 'planning']);
    const list = await call<{ rows: Array<{ compensations: number; status: string }> }>('inspection.list', {
      text: '501',
    });
    expect(list.rows[0]).toMatchObject({ status: 'cancelled', compensations: 2 });
  });

  it('previews a batch cancel per cycle, then terminates with a reason and records the end', async () => {
    const { workflowId } = await startToScoping(502, [1]);
    const batch = await call<{ items: Array<{ workflowId: string; applies: boolean; effect: string }> }>(
      'inspection.batchPreview',
      {
        selection: { filter: { text: 'test-cycle-50' }, exclude: [] },
        action: { action: 'cancel', reason: 'bench machine reset' },
      },
    );
    expect(batch.items.find((i) => i.workflowId === workflowId)).toMatchObject({ applies: true });
    expect(batch.items.find((i) => i.workflowId === workflowId)!.effect).toContain('Scoping (notify)');
    expect(batch.items.find((i) => i.workflowId === 'test-cycle-501')).toMatchObject({ applies: false });
    const preview = await call<{ summary: string }>('inspection.compensationPreview', {
      workflowId,
      action: 'terminate',
    });
    expect(preview.summary).toContain('NO compensation');
    await expect(call('inspection.terminate', { workflowId, reason: 'x' })).rejects.toThrow(/reason/);
    await call('inspection.terminate', { workflowId, reason: 'bench machine reset' });
    const view = await call<Phases>('inspection.phases', { workflowId });
    expect(view.status).toBe('terminated');
    expect(view.phases.find((p) => p.phase === 'scoping')!.state).toBe('failed');
    const list = await call<{ rows: Array<{ status: string }> }>('inspection.list', { text: '502' });
    expect(list.rows[0]!.status).toBe('terminated');
  });

  it("follows a running cycle's history: the re-reads after the first are answered from what Temporal pushed", async () => {
    const { workflowId, runId } = await startToScoping(601, [1]);
    // (The console's modules are its own; the test reads the inspection's followed histories.)
    const { modules } = stack.ops as unknown as {
      modules: Array<{ name: string; followers?: HistoryFollowers }>;
    };
    const followers = modules.find((m) => m.name === 'inspection')!.followers!;
    const before = await wholeHistory(workflowId);
    const last = before.at(-1)!;
    // The first re-read reads Temporal, and the history is followed from then on.
    const first = await call<HistoryRead>('inspection.history', { workflowId, afterEventId: last.id });
    expect(first).toMatchObject({ events: [], after: { id: last.id, time: last.time }, nextPageToken: null });
    expect(followers.keys()).toContain(`${workflowId}/${runId}`);
    const answered = followers.answered;
    await waitFor(
      async () => {
        const held = await call<HistoryRead>('inspection.history', { workflowId, afterEventId: 1 });
        return followers.answered > answered && held.after?.id === 1 && held.events.length >= last.id - 1;
      },
      30_000,
      'a re-read answered from the followed history',
    );
    // The history grows (the scope is approved): a followed re-read has the new events a whole read has.
    await call('workflows.approveScope', { workflowId, approved: true, by: 'qa-lead' });
    await waitFor(
      async () => {
        const newer = await call<HistoryRead>('inspection.history', { workflowId, afterEventId: last.id });
        const whole = await wholeHistory(workflowId);
        return (
          whole.length > before.length &&
          newer.after?.id === last.id &&
          JSON.stringify(ids(newer.events)) === JSON.stringify(ids(whole.filter((e) => e.id > last.id)))
        );
      },
      60_000,
      'the new events in a followed re-read',
    );
    expect(followers.answered).toBeGreaterThan(answered + 1);
    // The cycle closes: the held history ends with its close, as Temporal's does.
    await call('inspection.terminate', { workflowId, reason: 'the follower check' });
    await waitFor(
      async () =>
        (await call<HistoryRead>('inspection.history', { workflowId, afterEventId: last.id })).events.at(-1)
          ?.type === 'WorkflowExecutionTerminated',
      30_000,
      'the termination in the followed history',
    );
    const whole = await wholeHistory(workflowId);
    const held = await call<HistoryRead>('inspection.history', { workflowId, afterEventId: 1 });
    expect(held.events).toEqual(whole.slice(1));
  });

  it('lets go of a followed history nobody asks about, and of one Temporal cannot find', async () => {
    const temporal = () => stack.ops.cycles.client();
    const followers = new HistoryFollowers({ temporal, namespace: () => 'default', idleMs: 300 });
    try {
      const { runId } = await call<{ runId: string }>('inspection.phases', { workflowId: 'test-cycle-601' });
      expect(followers.newer('test-cycle-601', runId, 1)).toBeUndefined();
      await waitFor(
        async () => followers.newer('test-cycle-601', runId, 1) !== undefined,
        30_000,
        'the hold',
      );
      expect(followers.newer('test-cycle-601', runId, 1)!.events.at(-1)!.type).toBe(
        'WorkflowExecutionTerminated',
      );
      await waitFor(async () => followers.keys().length === 0, 30_000, 'the idle history to be let go');
      // A run Temporal does not have: followed for as long as its first poll takes, then let go.
      expect(followers.newer('test-cycle-601', '00000000-0000-4000-8000-000000000000', 1)).toBeUndefined();
      await waitFor(async () => followers.keys().length === 0, 30_000, 'the missing run to be let go');
    } finally {
      followers.close();
    }
    expect(followers.keys()).toEqual([]);
  });

  it('asks Temporal for no larger a page of history than it sends, so its log has no warning about it', async () => {
    // The reads above asked for pages of 1000 events, whole and followed; Temporal sends at most 256 a page, and
    // writes a warning to its log (its own file, written as it goes) for every larger ask.
    const { workflowId } = await startToScoping(605, [1]);
    const largest = await call<HistoryRead>('inspection.history', { workflowId, pageSize: 2000 });
    expect(largest.events.length).toBeGreaterThan(0);
    const log = fs.readFileSync(
      path.join(stack.ops.stack.spec().dataDir, 'temporal', 'temporal-server.log'),
      'utf8',
    );
    expect(log).toMatch(/"service":"frontend"/); // the file Temporal's frontend writes to
    expect(log.split('\n').filter((l) => l.includes('page size is larger than threshold'))).toEqual([]);
  });

  it('folds completed phase durations into the metrics', async () => {
    const metrics = await call<{ durations: Array<{ phase: string; count: number }> }>(
      'inspection.metrics',
      {},
    );
    expect(metrics.durations.find((d) => d.phase === 'planning')?.count).toBeGreaterThanOrEqual(1);
  });

  it('computes the phase percentiles from work time, with waiting for a person beside it', async () => {
    // Four finished Scoping phases of a version no real cycle uses: three waited ten minutes for a person around
    // 2 s of work, one was recorded before work time was kept (3 s, no split) and counts with its duration.
    const version = 9001;
    for (const run of ['r1', 'r2', 'r3', 'r4'])
      await stack.db.query(
        `INSERT INTO workflow_executions (workflow_id, run_id, workflow_type, version, status, input)
         VALUES ('metrics-work-time', $1, 'testCycle', $2, 'completed', '{}')`,
        [run, version],
      );
    const phase = (
      run: string,
      status: string,
      duration: number | null,
      active: number | null,
      waiting: number | null,
    ) =>
      stack.db.query(
        `INSERT INTO workflow_phases (workflow_id, run_id, phase, phase_number, status, compensation_strategy,
                                      started_at, finished_at, duration_ms, active_ms, waiting_ms)
         VALUES ('metrics-work-time', $1, 'scoping', 2, $2, 'notify', now(), CASE WHEN $2 = 'completed' THEN now() END,
                 $3, $4, $5)`,
        [run, status, duration, active, waiting],
      );
    await phase('r1', 'completed', 600_000, 2_000, 598_000);
    await phase('r2', 'completed', 600_000, 2_000, 598_000);
    // Finished by an update, as the worker records it.
    await phase('r3', 'running', null, null, null);
    await stack.db.query(
      `UPDATE workflow_phases SET status = 'completed', finished_at = now(), duration_ms = 600000, active_ms = 2000,
              waiting_ms = 598000 WHERE workflow_id = 'metrics-work-time' AND run_id = 'r3'`,
    );
    await phase('r4', 'completed', 3_000, null, null);

    const metrics = await call<{
      durations: Array<{
        phase: string;
        count: number;
        p50: number;
        p99: number;
        meanActiveMs: number;
        meanWaitingMs: number;
      }>;
    }>('inspection.metrics', { version });
    const scoping = metrics.durations.find((d) => d.phase === 'scoping');
    expect(scoping?.count).toBe(4);
    // The histogram's buckets are about 5 % wide; from the whole duration p50 would be about 600 s.
    expect(scoping!.p50).toBeGreaterThan(1_900);
    expect(scoping!.p50).toBeLessThan(2_100);
    expect(scoping!.p99).toBeGreaterThan(2_850);
    expect(scoping!.p99).toBeLessThan(3_150);
    expect(scoping!.meanActiveMs).toBe(2_250);
    expect(scoping!.meanWaitingMs).toBe(448_500);

    // The trend is of work time too: hour by hour over the last day, day by day over a month.
    type Trend = {
      trendUnit: string;
      trends: Array<{ at: string; phase: string; p50: number; count: number }>;
    };
    const dayAgo = new Date(Date.now() - 86_400_000).toISOString();
    const hourly = await call<Trend>('inspection.metrics', { version, from: dayAgo });
    expect(hourly.trendUnit).toBe('hour');
    const lastHour = hourly.trends.filter((t) => t.phase === 'scoping');
    expect(lastHour.reduce((n, t) => n + t.count, 0)).toBe(4);
    for (const t of lastHour) expect(t.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/);
    expect(lastHour.at(-1)!.p50).toBeLessThan(3_150);
    const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString();
    const daily = await call<Trend>('inspection.metrics', { version, from: monthAgo });
    expect(daily.trendUnit).toBe('day');
    const days = daily.trends.filter((t) => t.phase === 'scoping');
    expect(days.reduce((n, t) => n + t.count, 0)).toBe(4);
    for (const t of days) expect(t.at).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect(days.at(-1)!.p50).toBeLessThan(3_150);

    // The list shows each cycle's split: work and waiting over its finished phases.
    const list = await call<{
      rows: Array<{ runId: string; activeMs: number | null; waitingMs: number | null }>;
    }>('inspection.list', { text: 'metrics-work-time' });
    const byRun = Object.fromEntries(list.rows.map((r) => [r.runId, r]));
    expect(byRun.r1).toMatchObject({ activeMs: 2_000, waitingMs: 598_000 });
    expect(byRun.r3).toMatchObject({ activeMs: 2_000, waitingMs: 598_000 });
    expect(byRun.r4).toMatchObject({ activeMs: 3_000, waitingMs: null });
  });
});
