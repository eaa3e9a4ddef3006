// The SQL behind the compensation ledger and the alerts view (app DB tracking tables).
import type pg from 'pg';
import type { AlertView, CompensationEntry } from '../api';
import { iso } from './queries';

interface CompensationDb {
  id: string;
  workflow_id: string;
  run_id: string;
  cycle_id: number | null;
  phase: string;
  strategy: string;
  action: string;
  outcome: string;
  reason: string;
  detail: unknown;
  created_at: Date;
  error: string | null;
  attempts: number;
  resolved_by: string | null;
  resolution_note: string | null;
  resolved_at: Date | null;
}

const toCompensation = (r: CompensationDb): CompensationEntry => ({
  id: Number(r.id),
  workflowId: r.workflow_id,
  runId: r.run_id,
  cycleId: r.cycle_id,
  phase: r.phase,
  strategy: r.strategy,
  action: r.action,
  outcome: r.outcome,
  reason: r.reason,
  detail: r.detail,
  createdAt: r.created_at.toISOString(),
  error: r.error,
  attempts: r.attempts,
  resolvedBy: r.resolved_by,
  resolutionNote: r.resolution_note,
  resolvedAt: iso(r.resolved_at),
});

/**
 * Newest cycle first; within a cycle, the order the worker ran its compensations in (the log's insert order: one
 * row per phase, written when its step first ran), latest first. Entries of one cycle can share a timestamp.
 */
const LEDGER_ORDER = `ORDER BY max(l.created_at) OVER (PARTITION BY l.workflow_id, l.run_id) DESC,
  l.workflow_id, l.run_id, l.id DESC`;

export async function compensationRows(
  db: pg.Pool,
  f: {
    workflowId?: string;
    runId?: string;
    phase?: string;
    strategy?: string;
    outcome?: string;
    text?: string;
    offset: number;
    limit: number;
  },
): Promise<{ total: number; rows: CompensationEntry[] }> {
  const args: unknown[] = [];
  const where: string[] = [];
  const arg = (v: unknown) => {
    args.push(v);
    return `$${args.length}`;
  };
  if (f.workflowId) where.push(`l.workflow_id = ${arg(f.workflowId)}`);
  if (f.runId) where.push(`l.run_id = ${arg(f.runId)}`);
  if (f.phase) where.push(`l.phase = ${arg(f.phase)}`);
  if (f.strategy) where.push(`l.strategy = ${arg(f.strategy)}`);
  if (f.outcome) where.push(`l.outcome = ${arg(f.outcome)}`);
  if (f.text?.trim()) {
    const like = arg(`%${f.text.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`(l.workflow_id ILIKE ${like} OR l.action ILIKE ${like} OR l.reason ILIKE ${like})`);
  }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [rows, count] = await Promise.all([
    db.query<CompensationDb>(
      `SELECT l.id, l.workflow_id, l.run_id, e.cycle_id, l.phase, l.strategy, l.action, l.outcome, l.reason, l.detail,
              l.created_at, l.error, l.attempts, l.resolved_by, l.resolution_note, l.resolved_at
         FROM workflow_compensation_log l
         LEFT JOIN workflow_executions e ON e.workflow_id = l.workflow_id AND e.run_id = l.run_id
         ${w} ${LEDGER_ORDER} OFFSET ${Math.floor(f.offset)} LIMIT ${Math.floor(f.limit)}`,
      args,
    ),
    db.query<{ n: string }>(`SELECT count(*) AS n FROM workflow_compensation_log l ${w}`, args),
  ]);
  return { total: Number(count.rows[0]?.n ?? 0), rows: rows.rows.map(toCompensation) };
}

export async function alertRows(
  db: pg.Pool,
  includeAcknowledged: boolean,
  limit: number,
): Promise<{ open: number; rows: AlertView[] }> {
  const [rows, open] = await Promise.all([
    db.query<{
      id: string;
      workflow_id: string;
      run_id: string;
      phase: string | null;
      kind: string;
      severity: AlertView['severity'];
      message: string;
      created_at: Date;
      acknowledged_at: Date | null;
    }>(
      `SELECT id, workflow_id, run_id, phase, kind, severity, message, created_at, acknowledged_at FROM workflow_alerts
        ${includeAcknowledged ? '' : 'WHERE acknowledged_at IS NULL'} ORDER BY created_at DESC, id DESC LIMIT ${Math.floor(limit)}`,
    ),
    db.query<{ n: string }>('SELECT count(*) AS n FROM workflow_alerts WHERE acknowledged_at IS NULL'),
  ]);
  return {
    open: Number(open.rows[0]?.n ?? 0),
    rows: rows.rows.map((r) => ({
      id: Number(r.id),
      workflowId: r.workflow_id,
      runId: r.run_id,
      phase: r.phase,
      kind: r.kind,
      severity: r.severity,
      message: r.message,
      createdAt: r.created_at.toISOString(),
      acknowledgedAt: iso(r.acknowledged_at),
    })),
  };
}
