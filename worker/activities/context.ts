// The shell every phase activity runs in: one transaction for the work and its tracking rows, retry bookkeeping
// on failure, and the failure shape Temporal needs (a delay from the class's policy, or no retry for bad data).
import { ApplicationFailure, Context } from '@temporalio/activity';
import type pg from 'pg';
import type { PhaseId } from '../../main/api/contract/phases';
import { MAX_ATTEMPTS, backoffMs, type PhaseContext, type RetryClass } from '../shared';
import type { WorkerConfig } from '../config';

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

const NOTIFY_SQL = `SELECT pg_notify('workflow_progress', json_build_object('workflowId', $1::text, 'table', $2::text, 'phase', $3::text, 'kind', $4::text, 'at', now())::text)`;

export function notify(
  client: pg.ClientBase,
  workflowId: string,
  table: string,
  phase: string | null,
  kind: string,
): Promise<unknown> {
  return client.query(NOTIFY_SQL, [workflowId, table, phase, kind]);
}

/** The same notification as `notify`, as one statement of a batch (see `inline`). */
export function notifyStatement(
  workflowId: string,
  table: string,
  phase: string | null,
  kind: string,
): string {
  return inline(NOTIFY_SQL, [workflowId, table, phase, kind]);
}

export type SqlValue = string | number | boolean | null | undefined | Date | readonly string[] | object;

/** A value as an SQL literal: strings quoted and escaped as libpq does, dates as ISO instants, objects as JSON. */
export function literal(value: SqlValue): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return `(${String(value)})`;
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return quote(value.toISOString());
  if (Array.isArray(value))
    return value.length ? `ARRAY[${value.map((v) => quote(String(v))).join(', ')}]` : `'{}'`;
  if (typeof value === 'string') return quote(value);
  return quote(JSON.stringify(value));
}

function quote(text: string): string {
  // As pg's escapeLiteral: quotes doubled, and an E'' string when backslashes are present.
  const body = text.replace(/'/g, "''");
  return text.includes('\\') ? ` E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

/**
 * A parameterised statement ($1, $2, …) with its values written in as literals, so that several statements go to
 * the server in one simple query: one round trip for a whole batch of tracking writes instead of one per write.
 * A simple query of several statements is one transaction by itself (unless it says BEGIN/COMMIT).
 */
export function inline(sql: string, params: readonly SqlValue[]): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= params.length) throw new Error(`no value for $${n}`);
    return literal(params[i]!);
  });
}

/**
 * Runs `work` in one transaction with the activity's tracking rows. A retried or re-delivered attempt finds
 * its keys taken (workflow, run, activity id, attempt) and never doubles a row.
 */
export async function runTracked<T>(
  deps: ActivityDeps,
  def: ActivityDef,
  ctx: PhaseContext & { retryBaseMs: number },
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const info = Context.current().info;
  const attempt = info.attempt;
  const activityId = `${def.type}:${info.activityId}`;
  const started = new Date();
  const client = await deps.pool.connect();
  let broken = false;
  try {
    // One round trip: the lock timeout is part of every attempt's transaction.
    await client.query(
      `BEGIN; SET LOCAL lock_timeout = ${Math.max(1, Math.floor(deps.config.dbLockTimeoutMs))}`,
    );
    const result = await work(client);
    // The tracking rows, their notification and the commit: one round trip.
    const finish = ctx.tracking
      ? [
          inline(
            `INSERT INTO workflow_activities (workflow_id, run_id, activity_id, activity_type, phase, retry_class, status, attempts, first_started_at, finished_at, duration_ms)
             VALUES ($1, $2, $3, $4, $5, $6, 'completed', $7, $8::timestamptz, now(), (extract(epoch FROM now() - $8::timestamptz) * 1000)::int)
             ON CONFLICT (workflow_id, run_id, activity_id) DO UPDATE SET status = 'completed', attempts = EXCLUDED.attempts,
               finished_at = EXCLUDED.finished_at, duration_ms = (extract(epoch FROM now() - workflow_activities.first_started_at) * 1000)::int`,
            [ctx.workflowId, ctx.runId, activityId, def.type, def.phase, def.retryClass, attempt, started],
          ),
          inline(
            `INSERT INTO workflow_activity_histories (workflow_id, run_id, activity_id, attempt, status, started_at, finished_at, duration_ms)
             VALUES ($1, $2, $3, $4, 'completed', $5::timestamptz, now(), (extract(epoch FROM now() - $5::timestamptz) * 1000)::int)
             ON CONFLICT (workflow_id, run_id, activity_id, attempt) DO NOTHING`,
            [ctx.workflowId, ctx.runId, activityId, attempt, started],
          ),
          notifyStatement(ctx.workflowId, 'workflow_activities', def.phase, `${def.type}:completed`),
        ]
      : [];
    await client.query([...finish, 'COMMIT'].join(';\n'));
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
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
    client.release(broken);
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
  const client = await deps.pool.connect();
  try {
    await client.query('BEGIN');
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
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
