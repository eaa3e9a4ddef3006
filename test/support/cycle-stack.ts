// A running embedded stack with the worker, on free ports, for the workflow tests (real Postgres, real Temporal).
import pg from 'pg';
import { createConsole, type WiredConsole } from '../../main/console';
import { postgresUrl } from '../../main/stack';
import type { WorkflowProgressEvent } from '../../main/api/contract';
import { scratchHome } from './console-process';
import { freeStackSettings } from './stack-settings';

export interface CycleStack {
  ops: WiredConsole;
  home: string;
  db: pg.Pool;
  events: WorkflowProgressEvent[];
  stop(): Promise<void>;
}

export async function startCycleStack(
  worker: Record<string, unknown> = {},
  temporal: Record<string, unknown> = {},
  stack: Record<string, unknown> = {},
) {
  const free = await freeStackSettings();
  const home = scratchHome({
    ...free,
    stack: { ...free.stack, ...stack },
    temporal: { activityTimeoutS: 5, ...temporal },
    worker: { retryBaseMs: 200, ...worker },
  });
  // 'browser' mode: a long-running console, so the worker starts with the stack.
  const ops = createConsole({ mode: 'browser', dataDir: home, env: {} });
  const events: WorkflowProgressEvent[] = [];
  ops.router.events.subscribe((name, payload) => {
    if (name === 'workflow.progress') events.push(payload as WorkflowProgressEvent);
  });
  await ops.router.invoke('stack.start', {});
  await waitFor(() => ops.worker.current().state === 'running', 60_000, 'the worker to poll');
  const spec = ops.stack.spec();
  const db = new pg.Pool({
    connectionString: postgresUrl(spec.appPostgres, spec.appPostgres.database),
    max: 4,
  });
  // Some tests restart the databases under the pool: idle connections then drop, and the next query reconnects.
  db.on('error', () => undefined);
  return {
    ops,
    db,
    events,
    home,
    async stop() {
      await db.end();
      await ops.router.call('stack.stop', {});
      await ops.shutdown();
    },
  } satisfies CycleStack;
}

/** The messages `ops` logged from `source` since `since` (an ISO time). */
export function logLinesSince(ops: WiredConsole, source: string, since: string): string[] {
  return ops.logs
    .recent({ source, limit: 400 })
    .filter((l) => l.ts >= since)
    .map((l) => l.message);
}

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts an unattended cycle of these reports through the console and waits for it to close. */
export async function runCycle(ops: WiredConsole, cycleId: number, reportIds: readonly number[]) {
  const { workflowId } = await ops.router.invoke('workflows.start', {
    cycleId,
    reportIds: [...reportIds],
    skipPhases: [],
    autoApprove: true,
  });
  return { workflowId, ...(await outcome(ops, workflowId)) };
}

/** Waits for the workflow to close and returns its result or failure. */
export async function outcome(ops: WiredConsole, workflowId: string) {
  const client = await ops.cycles.client();
  try {
    return { ok: true as const, result: await client.workflow.getHandle(workflowId).result() };
  } catch (err) {
    const chain: string[] = [];
    for (let e = err as { message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e)
      chain.push(e.message ?? String(e));
    return { ok: false as const, error: Object.assign(err as Error, { message: chain.join(' <- ') }) };
  }
}

export async function rows<T = Record<string, unknown>>(
  db: pg.Pool,
  sql: string,
  args: unknown[] = [],
): Promise<T[]> {
  return (await db.query(sql, args)).rows as T[];
}

/** Waits until the cycle's workflow waits at a human step (its tracking row says so). */
export async function waitingAt(db: pg.Pool, workflowId: string, step: string): Promise<void> {
  await waitFor(
    async () =>
      (
        await rows(
          db,
          `SELECT 1 FROM workflow_steps WHERE workflow_id = $1 AND step = $2 AND status = 'waiting'`,
          [workflowId, step],
        )
      ).length > 0,
    60_000,
    `step ${step}`,
  );
}

/** Starts a cycle that waits for people, approves its scope, and returns once it waits for the RFI answers (phase 5). */
export async function startToRfi(
  s: CycleStack,
  cycleId: number,
  reportIds: number[],
  by = 'qa',
): Promise<string> {
  const { workflowId } = await s.ops.router.invoke('workflows.start', {
    cycleId,
    reportIds,
    skipPhases: [],
    autoApprove: false,
  });
  await waitingAt(s.db, workflowId, 'scope_approval');
  await s.ops.router.invoke('workflows.approveScope', { workflowId, approved: true, by });
  await waitingAt(s.db, workflowId, 'rfi_responses');
  return workflowId;
}

/**
 * Gives every human step of the cycle as it comes (approve, answer every open RFI, pass every open execution),
 * each only once the cycle waits for it, until the cycle is no longer running.
 */
export async function finishSteps(s: CycleStack, workflowId: string, by = 'qa'): Promise<void> {
  const until = Date.now() + 120_000;
  for (;;) {
    const c = await s.ops.router.invoke('workflows.stepContext', { workflowId });
    if (!c.running) return;
    if (Date.now() > until) throw new Error(`timed out giving the human steps of ${workflowId}`);
    const sent = await s.ops.router.call(
      ...((): [string, unknown] => {
        switch (c.waitingFor) {
          case 'scope_approval':
            return ['workflows.approveScope', { workflowId, approved: true, by }];
          case 'rfi_responses':
            return [
              'workflows.answerRfi',
              {
                workflowId,
                by,
                answers: c.rfis.map((r) => ({ reportId: r.reportId, response: 'records provided' })),
              },
            ];
          case 'test_results':
            return [
              'workflows.recordResults',
              { workflowId, by, results: c.executions.map((e) => ({ executionId: e.id, result: 'pass' })) },
            ];
          default:
            return ['workflows.progress', { workflowId }];
        }
      })(),
    );
    // A step refused because the cycle moved on meanwhile is asked again on the next round.
    if (!sent.ok && sent.error.code !== 'CONFLICT') throw new Error(sent.error.message);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A report the cycle cannot carry through by itself: its data owner has no email address (`owner` names the
 * owner), or it has no data owner at all (`owner` null). Data owner identification or the RFI phase stops on it.
 * Returns the owner's id (null: none).
 */
export async function addProblemReport(
  db: pg.Pool,
  report: { id: number; name: string; population: number; owner: string | null },
): Promise<number | null> {
  const [owner] =
    report.owner === null
      ? [undefined]
      : await rows<{ id: number }>(db, `INSERT INTO data_owners (name) VALUES ($1) RETURNING id`, [
          report.owner,
        ]);
  const ownerId = owner?.id ?? null;
  await db.query(`INSERT INTO reports (id, name, data_owner_id, population_size) VALUES ($1, $2, $3, $4)`, [
    report.id,
    report.name,
    ownerId,
    report.population,
  ]);
  return ownerId;
}
