// The progress notice: every tracking write (the worker's and the console's own) raises it in the same
// transaction, and the console's listener forwards it to the renderer as `workflow.progress`.
import type pg from 'pg';
import { inline } from './sql-batch';

export const PROGRESS_CHANNEL = 'workflow_progress';

/** The notice's SQL; without `phase` for a change of the whole cycle (the key left out, not null). */
const noticeSql = (phase: boolean) =>
  `SELECT pg_notify('${PROGRESS_CHANNEL}', json_build_object('workflowId', $1::text, 'table', $2::text, ${
    phase ? "'phase', $3::text, 'kind', $4::text" : "'kind', $3::text"
  }, 'at', now())::text)`;
const NOTIFY_SQL = noticeSql(true);
const CYCLE_NOTIFY_SQL = noticeSql(false);

/** Raises the progress notice for one change of `table` (sent when the transaction commits). */
export function notify(
  client: Pick<pg.ClientBase, 'query'>,
  workflowId: string,
  table: string,
  phase: string | null,
  kind: string,
): Promise<unknown> {
  return client.query(NOTIFY_SQL, [workflowId, table, phase, kind]);
}

/** The notice for a change of the whole cycle (no phase): a terminate the console records itself. */
export function notifyCycle(
  client: Pick<pg.ClientBase, 'query'>,
  workflowId: string,
  table: string,
  kind: string,
): Promise<unknown> {
  return client.query(CYCLE_NOTIFY_SQL, [workflowId, table, kind]);
}

/** The same notice as one statement of a batch sent as one simple query (see sql-batch). */
export function notifyStatement(
  workflowId: string,
  table: string,
  phase: string | null,
  kind: string,
): string {
  return inline(NOTIFY_SQL, [workflowId, table, phase, kind]);
}

/** One change a batched notice tells of; `phase` null for a change of the whole cycle. */
export interface Notice {
  table: string;
  phase: string | null;
  kind: string;
}

/**
 * The notices of one transaction as a single notice, `{workflowId, at, events: [{table, phase?, kind}]}`: a commit
 * that notifies serialises with every other such commit, and one notice costs the server one queue entry instead
 * of one per change. The listener hands on each change as its own progress event.
 */
export function noticesStatement(workflowId: string, notices: readonly Notice[]): string | undefined {
  if (notices.length === 0) return undefined;
  if (notices.length === 1)
    return notifyStatement(workflowId, notices[0]!.table, notices[0]!.phase, notices[0]!.kind);
  const events = notices.map((n) => (n.phase === null ? { table: n.table, kind: n.kind } : n));
  return inline(
    `SELECT pg_notify('${PROGRESS_CHANNEL}', json_build_object('workflowId', $1::text, 'at', now(), 'events', $2::json)::text)`,
    [workflowId, JSON.stringify(events)],
  );
}

/**
 * The notices of one transaction as a transaction of their own, committed without waiting for its log flush: the
 * statements to send after the commit of the writes they tell of. A commit that notifies holds the server's notify
 * lock until it returns, so a notice that waited there for its flush made every other notice of a busy stack queue
 * behind that flush. A notice is news, not data: the writes it tells of were committed, and flushed, before it, and
 * a server that crashes drops its listeners, which re-read on their reconnect.
 */
export function noticeTransaction(workflowId: string, notices: readonly Notice[]): string[] {
  const statement = noticesStatement(workflowId, notices);
  return statement ? ['SET LOCAL synchronous_commit = off', statement] : [];
}
