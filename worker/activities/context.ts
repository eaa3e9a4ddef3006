// The shell every phase activity runs in: one transaction for the work and its tracking rows, retry bookkeeping
// on failure, and the failure shape Temporal needs (a delay from the class's policy, or no retry for bad data).
import { ApplicationFailure, Context } from '@temporalio/activity';
import type pg from 'pg';
import { notify, noticeTransaction } from '../../shared/notify';
import { inline } from '../../shared/sql-batch';
import { inTransaction } from '../../shared/transaction';
import type { PhaseId } from '../../shared/phases';
import { MAX_ATTEMPTS, backoffMs, type PhaseContext, type RetryClass } from '../../shared/workflow';
import type { WorkerConfig } from '../../shared/worker-protocol';
import { phaseCompleted, trackStatements } from './tracking';

export interface ActivityDeps {
  pool: pg.Pool;
  config: WorkerConfig;
}

/** A failure caused by the data itself: retrying cannot fix it, so the phase fails for good. */
export class DataError extends Error {
  override name = 'DataError';
}

export interface ActivityDef {
  type: string;
  phase: PhaseId;
  retryClass: RetryClass;
}

/**
 * Runs `work` in one transaction with the activity's tracking rows. A retried or re-delivered attempt finds
 * its keys taken (workflow, run, activity id, attempt) and never doubles a row.
 * The workflow's events carried in `ctx.track` are committed first, on their own: the phase shows running while
 * the work runs. When the activity completes its phase (`ctx.completesPhase`, and `completes(result)` for an
 * activity that only sometimes is the last), the phase's completed row goes into the work's commit.
 */
export async function runTracked<T>(
  deps: ActivityDeps,
  def: ActivityDef,
  ctx: PhaseContext & { retryBaseMs: number },
  work: (client: pg.PoolClient) => Promise<T>,
  completes: (result: T) => boolean = () => true,
): Promise<T> {
  const info = Context.current().info;
  const attempt = info.attempt;
  const activityId = `${def.type}:${info.activityId}`;
  const started = new Date();
  const client = await deps.pool.connect();
  let broken = false;
  let released = false;
  try {
    // One round trip: the carried events committed on their own, then their notice (see trackStatements), then the
    // work's transaction with its lock timeout. The events' commit does not wait for its log flush: the work's
    // commit after it flushes the log up to and past it, so they are as durable as the work.
    const carried = ctx.tracking && ctx.track ? trackStatements(ctx.track, { flush: false }) : [];
    await client.query(
      [
        ...carried,
        'BEGIN',
        `SET LOCAL lock_timeout = ${Math.max(1, Math.floor(deps.config.dbLockTimeoutMs))}`,
      ].join(';\n'),
    );
    const result = await work(client);
    // The tracking rows, their notification and the commit: one round trip. The finish time is the clock's, not
    // the transaction's start (now()), which was before the work.
    const completion =
      ctx.tracking && ctx.completesPhase && completes(result)
        ? phaseCompleted(ctx, def.phase, new Date().toISOString())
        : undefined;
    const finish = ctx.tracking
      ? [
          inline(
            `INSERT INTO workflow_activities (workflow_id, run_id, activity_id, activity_type, phase, retry_class, status, attempts, first_started_at, finished_at, duration_ms)
             VALUES ($1, $2, $3, $4, $5, $6, 'completed', $7, $8::timestamptz, clock_timestamp(), (extract(epoch FROM clock_timestamp() - $8::timestamptz) * 1000)::int)
             ON CONFLICT (workflow_id, run_id, activity_id) DO UPDATE SET status = 'completed', attempts = EXCLUDED.attempts,
               finished_at = EXCLUDED.finished_at, duration_ms = (extract(epoch FROM clock_timestamp() - workflow_activities.first_started_at) * 1000)::int`,
            [ctx.workflowId, ctx.runId, activityId, def.type, def.phase, def.retryClass, attempt, started],
          ),
          inline(
            `INSERT INTO workflow_activity_histories (workflow_id, run_id, activity_id, attempt, status, started_at, finished_at, duration_ms)
             VALUES ($1, $2, $3, $4, 'completed', $5::timestamptz, clock_timestamp(), (extract(epoch FROM clock_timestamp() - $5::timestamptz) * 1000)::int)
             ON CONFLICT (workflow_id, run_id, activity_id, attempt) DO NOTHING`,
            [ctx.workflowId, ctx.runId, activityId, attempt, started],
          ),
          ...(completion?.statements ?? []),
        ]
      : [];
    // One notice for the activity and, when it ends the phase, the phase: after the commit, on its own (see
    // trackStatements).
    const notice = ctx.tracking
      ? noticeTransaction(ctx.workflowId, [
          { table: 'workflow_activities', phase: def.phase, kind: `${def.type}:completed` },
          ...(completion ? [completion.notice] : []),
        ])
      : [];
    await client.query([...finish, 'COMMIT', ...notice].join(';\n'));
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    // The connection goes back before the failure is recorded on another one: holding it while waiting for a
    // second would deadlock the pool once every connection is held by a failing activity.
    client.release(broken);
    released = true;
    const error = err as Error;
    const dataError = error instanceof DataError;
    const exhausted = dataError || attempt >= MAX_ATTEMPTS;
    const delay = exhausted ? null : backoffMs(def.retryClass, attempt, ctx.retryBaseMs);
    if (ctx.tracking) {
      await recordFailure(deps, def, ctx, {
        activityId,
        attempt,
        started,
        error,
        exhausted,
        delay,
        dataError,
      }).catch(() => undefined);
    }
    if (dataError) throw ApplicationFailure.nonRetryable(error.message, 'DataError');
    throw ApplicationFailure.create({
      message: error.message,
      type: `${def.retryClass}-failure`,
      nextRetryDelay: delay ?? undefined,
    });
  } finally {
    if (!released) client.release(broken);
  }
}

async function recordFailure(
  deps: ActivityDeps,
  def: ActivityDef,
  ctx: PhaseContext,
  f: {
    activityId: string;
    attempt: number;
    started: Date;
    error: Error;
    exhausted: boolean;
    delay: number | null;
    dataError: boolean;
  },
): Promise<void> {
  await inTransaction(deps.pool, async (client) => {
    const status = f.exhausted ? 'failed' : 'retrying';
    await client.query(
      `INSERT INTO workflow_activities (workflow_id, run_id, activity_id, activity_type, phase, retry_class, status, attempts, first_started_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (workflow_id, run_id, activity_id) DO UPDATE SET status = EXCLUDED.status, attempts = EXCLUDED.attempts`,
      [
        ctx.workflowId,
        ctx.runId,
        f.activityId,
        def.type,
        def.phase,
        def.retryClass,
        status,
        f.attempt,
        f.started,
      ],
    );
    await client.query(
      `INSERT INTO workflow_activity_histories (workflow_id, run_id, activity_id, attempt, status, started_at, finished_at, duration_ms, error)
       VALUES ($1, $2, $3, $4, 'failed', $5, now(), (extract(epoch FROM now() - $5::timestamptz) * 1000)::int, $6)
       ON CONFLICT (workflow_id, run_id, activity_id, attempt) DO NOTHING`,
      [ctx.workflowId, ctx.runId, f.activityId, f.attempt, f.started, f.error.message],
    );
    if (!f.dataError) {
      await client.query(
        `INSERT INTO workflow_activity_retry_log (workflow_id, run_id, activity_id, activity_type, retry_class, attempt, max_attempts, error, backoff_ms, exhausted)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (workflow_id, run_id, activity_id, attempt) DO NOTHING`,
        [
          ctx.workflowId,
          ctx.runId,
          f.activityId,
          def.type,
          def.retryClass,
          f.attempt,
          MAX_ATTEMPTS,
          f.error.message,
          f.delay,
          f.exhausted,
        ],
      );
    }
    if (f.exhausted) {
      const kind = f.dataError ? 'data_error' : 'retries_exhausted';
      await client.query(
        `INSERT INTO workflow_alerts (dedupe_key, workflow_id, run_id, phase, kind, severity, message)
         VALUES ($1, $2, $3, $4, $5, 'critical', $6) ON CONFLICT (dedupe_key) DO NOTHING`,
        [
          `${ctx.workflowId}:${ctx.runId}:${f.activityId}:${kind}`,
          ctx.workflowId,
          ctx.runId,
          def.phase,
          kind,
          f.dataError
            ? `${def.type} failed on bad data: ${f.error.message}`
            : `${def.type} failed ${f.attempt} times (${def.retryClass} policy exhausted): ${f.error.message}`,
        ],
      );
    }
    await notify(client, ctx.workflowId, 'workflow_activity_retry_log', def.phase, `${def.type}:${status}`);
  });
}
