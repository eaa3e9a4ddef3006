// The SQL behind the inspection views, over the app DB's tracking tables: the cycle list and one cycle's rows.
// The compensation ledger and the alerts are in ledger-queries.ts.
import type pg from 'pg';
import type { ActivityView, CycleFilter, CycleRow, CycleStatus, RetryLogEntry, StepView } from '../api';
import type { PhaseRowInput } from './phase-states';

export const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** WHERE clause and its parameters for a cycle filter (the list, the batch selection). */
export function cycleWhere(filter: CycleFilter, args: unknown[] = []): { sql: string; args: unknown[] } {
  const where: string[] = [];
  const arg = (v: unknown) => {
    args.push(v);
    return `$${args.length}`;
  };
  if (filter.status.length) where.push(`e.status = ANY(${arg(filter.status)}::text[])`);
  if (filter.version) where.push(`e.version = ${arg(filter.version)}`);
  if (filter.from) where.push(`e.started_at >= ${arg(filter.from)}`);
  if (filter.to) where.push(`e.started_at <= ${arg(filter.to)}`);
  if (filter.phase) {
    where.push(`EXISTS (SELECT 1 FROM workflow_phases p WHERE p.workflow_id = e.workflow_id AND p.run_id = e.run_id
      AND p.phase = ${arg(filter.phase)} AND p.status IN ('running', 'failed'))`);
  }
  const text = filter.text.trim();
  if (text) {
    const like = arg(`%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const exact = /^\d+$/.test(text) ? ` OR e.cycle_id = ${arg(Number(text))}` : '';
    where.push(`(e.workflow_id ILIKE ${like} OR e.failure ILIKE ${like}${exact})`);
  }
  return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
}

const SORT_SQL = {
  started: 'e.started_at',
  duration: 'e.duration_ms',
  retries: 'coalesce(c.retries, 0)',
  cycle: 'e.cycle_id',
} as const;

interface CycleRowDb {
  workflow_id: string;
  run_id: string;
  cycle_id: number | null;
  status: string;
  version: number;
  started_at: Date;
  finished_at: Date | null;
  duration_ms: number | null;
  retries: number;
  compensations: number;
  current_phase: string | null;
  /** Sums over the finished phases (bigint as text); absent where a query does not select them. */
  active_ms?: string | null;
  waiting_ms?: string | null;
}

const CURRENT_PHASE_SQL = `(SELECT p.phase FROM workflow_phases p WHERE p.workflow_id = e.workflow_id AND p.run_id = e.run_id
    AND p.status <> 'pending' ORDER BY (p.status = 'running') DESC, p.phase_number DESC LIMIT 1) AS current_phase,
  (SELECT sum(coalesce(p.active_ms, p.duration_ms)) FROM workflow_phases p WHERE p.workflow_id = e.workflow_id
    AND p.run_id = e.run_id AND p.duration_ms IS NOT NULL) AS active_ms,
  (SELECT sum(p.waiting_ms) FROM workflow_phases p WHERE p.workflow_id = e.workflow_id AND p.run_id = e.run_id
    AND p.duration_ms IS NOT NULL) AS waiting_ms`;

export function toCycleRow(r: CycleRowDb): CycleRow {
  return {
    workflowId: r.workflow_id,
    runId: r.run_id,
    cycleId: r.cycle_id,
    status: r.status as CycleStatus,
    currentPhase: r.current_phase,
    startedAt: r.started_at.toISOString(),
    finishedAt: iso(r.finished_at),
    durationMs: r.duration_ms,
    activeMs: r.active_ms == null ? null : Number(r.active_ms),
    waitingMs: r.waiting_ms == null ? null : Number(r.waiting_ms),
    retries: Number(r.retries),
    compensations: Number(r.compensations),
    version: r.version,
  };
}

export async function listCycles(
  db: pg.Pool,
  filter: CycleFilter,
  page: { sort: keyof typeof SORT_SQL; dir: 'asc' | 'desc'; offset: number; limit: number; count: boolean },
): Promise<{ total: number; rows: CycleRow[] }> {
  const where = cycleWhere(filter);
  const dir = page.dir === 'asc' ? 'ASC' : 'DESC';
  const nulls = page.dir === 'asc' ? 'NULLS FIRST' : 'NULLS LAST';
  const order = `${SORT_SQL[page.sort]} ${dir} ${nulls}, e.id ${dir}`;
  const slice = `OFFSET ${Math.floor(page.offset)} LIMIT ${Math.floor(page.limit)}`;
  // Page first (an index walk for every sort but retries), then join the counters and current phase to the
  // page's rows only.
  const rowsSql =
    page.sort === 'retries'
      ? `SELECT e.workflow_id, e.run_id, e.cycle_id, e.status, e.version, e.started_at, e.finished_at, e.duration_ms,
                coalesce(c.retries, 0) AS retries, coalesce(c.compensations, 0) AS compensations, ${CURRENT_PHASE_SQL}
           FROM workflow_executions e
           LEFT JOIN inspection_cycle_counters c ON c.workflow_id = e.workflow_id AND c.run_id = e.run_id
           ${where.sql} ORDER BY ${order} ${slice}`
      : `SELECT e.workflow_id, e.run_id, e.cycle_id, e.status, e.version, e.started_at, e.finished_at, e.duration_ms,
                coalesce(c.retries, 0) AS retries, coalesce(c.compensations, 0) AS compensations, ${CURRENT_PHASE_SQL}
           FROM (SELECT e.* FROM workflow_executions e ${where.sql} ORDER BY ${order} ${slice}) e
           LEFT JOIN inspection_cycle_counters c ON c.workflow_id = e.workflow_id AND c.run_id = e.run_id
          ORDER BY ${order}`;
  const [rows, count] = await Promise.all([
    db.query<CycleRowDb>(rowsSql, where.args),
    page.count
      ? db.query<{ n: string }>(`SELECT count(*) AS n FROM workflow_executions e ${where.sql}`, where.args)
      : undefined,
  ]);
  return { total: count ? Number(count.rows[0]?.n ?? 0) : -1, rows: rows.rows.map(toCycleRow) };
}

export async function executionRow(
  db: pg.Pool,
  workflowId: string,
  runId?: string,
): Promise<(CycleRow & { input: unknown; failure: string | null }) | undefined> {
  const { rows } = await db.query<CycleRowDb & { input: unknown; failure: string | null }>(
    `SELECT e.workflow_id, e.run_id, e.cycle_id, e.status, e.version, e.started_at, e.finished_at, e.duration_ms,
            e.input, e.failure, coalesce(c.retries, 0) AS retries, coalesce(c.compensations, 0) AS compensations,
            ${CURRENT_PHASE_SQL}
       FROM workflow_executions e
       LEFT JOIN inspection_cycle_counters c ON c.workflow_id = e.workflow_id AND c.run_id = e.run_id
      WHERE e.workflow_id = $1 AND ($2::text IS NULL OR e.run_id = $2)
      ORDER BY e.started_at DESC LIMIT 1`,
    [workflowId, runId ?? null],
  );
  const r = rows[0];
  return r ? { ...toCycleRow(r), input: r.input, failure: r.failure } : undefined;
}

export async function phaseRows(db: pg.Pool, workflowId: string, runId: string): Promise<PhaseRowInput[]> {
  const { rows } = await db.query<{
    phase: string;
    status: string;
    started_at: Date | null;
    finished_at: Date | null;
    duration_ms: number | null;
    failure: string | null;
    active_ms: number | null;
    waiting_ms: number | null;
    waiting_step: string | null;
    waiting_since: Date | null;
    waited_ms: number | null;
  }>(
    // A running phase's waiting so far: its finished human steps, plus the one it waits at now (from waiting_since).
    `SELECT p.phase, p.status, p.started_at, p.finished_at, p.duration_ms, p.failure, p.active_ms, p.waiting_ms,
            w.step AS waiting_step, w.started_at AS waiting_since, d.ms AS waited_ms
       FROM workflow_phases p
       LEFT JOIN LATERAL (SELECT s.step, s.started_at FROM workflow_steps s
                           WHERE s.workflow_id = p.workflow_id AND s.run_id = p.run_id AND s.phase = p.phase
                             AND s.status = 'waiting' ORDER BY s.started_at DESC LIMIT 1) w ON true
       LEFT JOIN LATERAL (SELECT sum(s.duration_ms)::int AS ms FROM workflow_steps s
                           WHERE s.workflow_id = p.workflow_id AND s.run_id = p.run_id AND s.phase = p.phase
                             AND s.status <> 'waiting') d ON true
      WHERE p.workflow_id = $1 AND p.run_id = $2 ORDER BY p.phase_number`,
    [workflowId, runId],
  );
  return rows.map((r) => ({
    phase: r.phase,
    status: r.status,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    durationMs: r.duration_ms,
    failure: r.failure,
    activeMs: r.active_ms,
    waitingMs: r.waiting_ms ?? r.waited_ms ?? 0,
    waitingStep: r.waiting_step,
    waitingSince: iso(r.waiting_since),
  }));
}

export async function activityRows(
  db: pg.Pool,
  workflowId: string,
  runId: string,
  withHistory: boolean,
): Promise<ActivityView[]> {
  const { rows } = await db.query<{
    activity_id: string;
    activity_type: string;
    phase: string;
    retry_class: string;
    status: string;
    attempts: number;
    first_started_at: Date;
    finished_at: Date | null;
    duration_ms: number | null;
    history: ActivityView['history'] | null;
  }>(
    `SELECT a.activity_id, a.activity_type, a.phase, a.retry_class, a.status, a.attempts, a.first_started_at,
            a.finished_at, a.duration_ms,
            ${
              withHistory
                ? `(SELECT json_agg(json_build_object('attempt', h.attempt, 'status', h.status, 'startedAt', h.started_at,
                     'finishedAt', h.finished_at, 'durationMs', h.duration_ms, 'error', h.error) ORDER BY h.attempt)
                   FROM workflow_activity_histories h WHERE h.workflow_id = a.workflow_id AND h.run_id = a.run_id
                    AND h.activity_id = a.activity_id)`
                : 'NULL'
            } AS history
       FROM workflow_activities a WHERE a.workflow_id = $1 AND a.run_id = $2 ORDER BY a.first_started_at, a.id`,
    [workflowId, runId],
  );
  return rows.map((r) => ({
    activityId: r.activity_id,
    activityType: r.activity_type,
    phase: r.phase,
    retryClass: r.retry_class,
    status: r.status,
    attempts: r.attempts,
    firstStartedAt: r.first_started_at.toISOString(),
    finishedAt: iso(r.finished_at),
    durationMs: r.duration_ms,
    history: r.history ?? [],
  }));
}

export async function retryRows(db: pg.Pool, workflowId: string, runId: string): Promise<RetryLogEntry[]> {
  const { rows } = await db.query<{
    activity_id: string;
    activity_type: string;
    retry_class: string;
    attempt: number;
    max_attempts: number;
    error: string;
    backoff_ms: number | null;
    exhausted: boolean;
    failed_at: Date;
  }>(
    `SELECT activity_id, activity_type, retry_class, attempt, max_attempts, error, backoff_ms, exhausted, failed_at
       FROM workflow_activity_retry_log WHERE workflow_id = $1 AND run_id = $2 ORDER BY failed_at, id`,
    [workflowId, runId],
  );
  return rows.map((r) => ({
    activityId: r.activity_id,
    activityType: r.activity_type,
    retryClass: r.retry_class,
    attempt: r.attempt,
    maxAttempts: r.max_attempts,
    error: r.error,
    backoffMs: r.backoff_ms,
    exhausted: r.exhausted,
    failedAt: r.failed_at.toISOString(),
  }));
}

export async function stepRows(db: pg.Pool, workflowId: string, runId: string): Promise<StepView[]> {
  const { rows } = await db.query<{
    phase: string;
    step: string;
    kind: string;
    status: string;
    started_at: Date;
    finished_at: Date | null;
    detail: unknown;
  }>(
    `SELECT phase, step, kind, status, started_at, finished_at, detail FROM workflow_steps
      WHERE workflow_id = $1 AND run_id = $2 ORDER BY started_at, id`,
    [workflowId, runId],
  );
  return rows.map((r) => ({
    phase: r.phase,
    step: r.step,
    kind: r.kind,
    status: r.status,
    startedAt: r.started_at.toISOString(),
    finishedAt: iso(r.finished_at),
    detail: r.detail,
  }));
}

export async function transitionRows(db: pg.Pool, workflowId: string, runId: string) {
  const { rows } = await db.query<{ from_phase: string; to_phase: string; kind: string; at: Date }>(
    `SELECT from_phase, to_phase, kind, at FROM workflow_transitions WHERE workflow_id = $1 AND run_id = $2 ORDER BY at, id`,
    [workflowId, runId],
  );
  return rows.map((r) => ({ from: r.from_phase, to: r.to_phase, kind: r.kind, at: r.at.toISOString() }));
}
