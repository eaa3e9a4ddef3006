// The workflow's own tracking writes (execution, phases, steps, transitions, metrics, alerts), one transaction per
// batch. Every write is an idempotent upsert whose state only moves forward, so a replayed batch changes nothing.
// A batch's statements and its notifications go to the server as one simple query: one round trip per batch.
import { PHASES, type PhaseId } from '../../shared/phases';
import { WORKFLOW_TYPE, WORKFLOW_PATCHES, type TrackBatch, type TrackEvent } from '../../shared/workflow';
import { noticeTransaction, type Notice } from '../../shared/notify';
import { inline } from '../../shared/sql-batch';
import { onConnection } from '../../shared/transaction';
import type { ActivityDeps } from './context';

export async function track(deps: ActivityDeps, batch: TrackBatch): Promise<void> {
  const statements = trackStatements(batch);
  if (statements.length === 0) return;
  // Several statements in one simple query: the writes are one transaction (all of the batch or none of it). A
  // failed statement leaves its explicit transaction open on the connection: rolled back before the connection
  // goes back to the pool.
  await onConnection(deps.pool, (client) => client.query(statements.join(';\n')));
}

/**
 * A batch's writes, committed, then one notice for all its changes in a transaction of its own (see
 * noticeTransaction). A commit that notifies holds the server's notify lock through its log flush, serialising
 * every other such commit: the writes' commit, which must be flushed, does not notify, and the notice's does not
 * wait for its flush. The listener reads the rows after the notice, so they are there. Both transactions are
 * explicit (BEGIN … COMMIT): a COMMIT that ends the implicit transaction of a many-statement query makes the server
 * warn, twice a batch, in its log and to the client. `flush: false`: the writes' commit does not wait for its log
 * flush either (a commit after it, in the same session, flushes past it).
 */
export function trackStatements(batch: TrackBatch, options: { flush: boolean } = { flush: true }): string[] {
  const statements = batch.events.flatMap((event) => writeEvent(batch, event));
  const notice = noticeTransaction(
    batch.workflowId,
    batch.events.map((event) => ({
      table: tableOf(event),
      phase: 'phase' in event ? event.phase : null,
      kind: `${event.kind}:${describe(event)}`,
    })),
  );
  const writes = statements.length
    ? ['BEGIN', ...(options.flush ? [] : ['SET LOCAL synchronous_commit = off']), ...statements, 'COMMIT']
    : [];
  return notice.length ? [...writes, 'BEGIN', ...notice, 'COMMIT'] : writes;
}

/**
 * The phase completed, written by its last activity in the commit of its work (so the console shows it as soon
 * as the work is there, not after the workflow has heard back from Temporal): the same row, metrics and alert the
 * workflow's own event writes, which then finds nothing left to change. The notice goes with the activity's own.
 */
export function phaseCompleted(
  ids: Pick<TrackBatch, 'workflowId' | 'runId' | 'cycleId'>,
  phase: PhaseId,
  at: string,
): { statements: string[]; notice: Notice } {
  return {
    statements: writePhase(ids, phase, 'completed', undefined, at),
    notice: { table: 'workflow_phases', phase, kind: 'phase:completed' },
  };
}

function tableOf(event: TrackEvent): string {
  switch (event.kind) {
    case 'execution':
      return 'workflow_executions';
    case 'phase':
      return 'workflow_phases';
    case 'step':
      return 'workflow_steps';
    case 'transition':
      return 'workflow_transitions';
  }
}

function describe(event: TrackEvent): string {
  switch (event.kind) {
    case 'transition':
      return `${event.from}->${event.to}`;
    case 'step':
      return `${event.step}:${event.status}`;
    default:
      return event.status;
  }
}

/** The statements that write one event. */
function writeEvent(batch: TrackBatch, event: TrackEvent): string[] {
  const { workflowId, runId } = batch;
  switch (event.kind) {
    case 'execution':
      if (event.status === 'running') {
        return [
          inline(
            `INSERT INTO workflow_executions (workflow_id, run_id, workflow_type, cycle_id, version, status, input)
             VALUES ($1, $2, $3, $4, $5, 'running', $6) ON CONFLICT (workflow_id, run_id) DO NOTHING`,
            [
              workflowId,
              runId,
              WORKFLOW_TYPE,
              batch.cycleId,
              batch.version,
              JSON.stringify(batch.input ?? {}),
            ],
          ),
          recordVersion(batch),
          // Every phase pending, in one statement.
          inline(
            `INSERT INTO workflow_phases (workflow_id, run_id, phase, phase_number, status, compensation_strategy)
             SELECT $1, $2, p.phase, p.phase_number, 'pending', p.compensation
               FROM unnest($3::text[], $4::int[], $5::text[]) AS p(phase, phase_number, compensation)
             ON CONFLICT (workflow_id, run_id, phase) DO NOTHING`,
            [
              workflowId,
              runId,
              PHASES.map((p) => p.id),
              PHASES.map((p) => String(p.number)),
              PHASES.map((p) => p.compensation),
            ],
          ),
        ];
      } else if (event.status === 'needs_attention' || event.status === 'resumed') {
        // Waiting for the operator is not an end: no finish time, and back to running once decided.
        return [
          inline(
            `UPDATE workflow_executions SET status = $3, failure = COALESCE($4, failure)
             WHERE workflow_id = $1 AND run_id = $2 AND status = $5`,
            [
              workflowId,
              runId,
              event.status === 'resumed' ? 'running' : 'needs_attention',
              event.status === 'resumed' ? null : (event.failure ?? null),
              event.status === 'resumed' ? 'needs_attention' : 'running',
            ],
          ),
        ];
      }
      return [
        inline(
          `UPDATE workflow_executions SET status = $3, failure = $4, finished_at = COALESCE(finished_at, now()),
             duration_ms = COALESCE(duration_ms, (extract(epoch FROM now() - started_at) * 1000)::int)
           WHERE workflow_id = $1 AND run_id = $2 AND status IN ('running', 'needs_attention')`,
          [workflowId, runId, event.status, event.failure ?? null],
        ),
        inline(`UPDATE test_cycles SET status = $2, updated_at = now() WHERE id = $1`, [
          batch.cycleId,
          event.status,
        ]),
      ];
    case 'phase':
      return [
        ...writePhase(batch, event.phase, event.status, event.failure, event.at),
        ...(event.status === 'needs_attention' ? [attentionAlert(batch, event)] : []),
      ];
    case 'step':
      return [
        inline(
          // `at` is the workflow's time of the event (a batch is written after it); older cycles send none.
          `INSERT INTO workflow_steps (workflow_id, run_id, phase, step, kind, status, detail, started_at, finished_at, duration_ms)
           VALUES ($1, $2, $3, $4, 'human', $5::text, $6, COALESCE($7::timestamptz, now()),
                   CASE WHEN $5::text = 'waiting' THEN NULL ELSE COALESCE($7::timestamptz, now()) END, CASE WHEN $5::text = 'waiting' THEN NULL ELSE 0 END)
           ON CONFLICT (workflow_id, run_id, phase, step) DO UPDATE SET
             status = CASE WHEN workflow_steps.status = 'waiting' THEN EXCLUDED.status ELSE workflow_steps.status END,
             detail = workflow_steps.detail || EXCLUDED.detail,
             finished_at = COALESCE(workflow_steps.finished_at, EXCLUDED.finished_at),
             duration_ms = COALESCE(workflow_steps.duration_ms, CASE WHEN EXCLUDED.status = 'waiting' THEN NULL
               ELSE greatest((extract(epoch FROM EXCLUDED.finished_at - workflow_steps.started_at) * 1000)::int, 0) END)`,
          [
            workflowId,
            runId,
            event.phase,
            event.step,
            event.status,
            JSON.stringify(event.detail ?? {}),
            event.at ?? null,
          ],
        ),
      ];
    case 'transition':
      return [
        inline(
          `INSERT INTO workflow_transitions (workflow_id, run_id, from_phase, to_phase, kind)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
          [workflowId, runId, event.from, event.to, event.to === 'compensation' ? 'compensation' : 'forward'],
        ),
      ];
  }
}

/**
 * The phase's new state and, when this event completes it (and only the first time: a replayed batch moves no row),
 * its metrics and the slow-phase alert: one call of the app DB's ops_track_phase, whose plans the server keeps for
 * the session (the statement it replaced was parsed and planned on every write).
 */
function writePhase(
  batch: Pick<TrackBatch, 'workflowId' | 'runId' | 'cycleId'>,
  phase: PhaseId,
  status: string,
  failure: string | undefined,
  at: string,
): string[] {
  const write = inline(`SELECT ops_track_phase($1, $2, $3, $4, $5, $6, $7::timestamptz)`, [
    batch.workflowId,
    batch.runId,
    phase,
    status,
    failure ?? null,
    status !== 'running',
    at,
  ]);
  if (status !== 'running') return [write];
  return [
    write,
    // The cycle's current phase (for the parallel pair, the one that started last).
    inline(`UPDATE test_cycles SET current_phase = $2, updated_at = now() WHERE id = $1`, [
      batch.cycleId,
      phase,
    ]),
  ];
}

/** Records the first time a workflow code version is seen, with the version it replaced. */
function recordVersion(batch: TrackBatch): string {
  return inline(
    `INSERT INTO workflow_migration_history (workflow_type, from_version, to_version, patches, workflow_id)
     SELECT $1::text, (SELECT max(to_version) FROM workflow_migration_history WHERE workflow_type = $1::text AND to_version < $2::int), $2::int, $3::text[], $4::text
     WHERE NOT EXISTS (SELECT 1 FROM workflow_migration_history WHERE workflow_type = $1::text AND to_version = $2::int)
     ON CONFLICT DO NOTHING`,
    [WORKFLOW_TYPE, batch.version, WORKFLOW_PATCHES.slice(0, batch.version - 1), batch.workflowId],
  );
}

/** The alert that tells the operator a cycle waits for them, and what to fix. */
function attentionAlert(batch: TrackBatch, event: Extract<TrackEvent, { kind: 'phase' }>): string {
  return inline(
    `INSERT INTO workflow_alerts (dedupe_key, workflow_id, run_id, phase, kind, severity, message)
     VALUES ($1, $2, $3, $4, 'needs_attention', 'critical', $5) ON CONFLICT (dedupe_key) DO NOTHING`,
    [
      `${batch.workflowId}:${batch.runId}:${event.phase}:attention:${event.at}`,
      batch.workflowId,
      batch.runId,
      event.phase,
      `Cycle ${batch.cycleId} needs attention in ${event.phase}: ${event.failure ?? 'it failed'}. To fix: ${event.hint ?? 'see the failure'}. Or skip the phase (where allowed) or abandon the cycle.`,
    ],
  );
}
