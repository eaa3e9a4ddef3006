// Undoes a phase by its strategy: rollback, partial rollback, notify or skip. A phase removes only the rows it
// produced, and only those no kept row of a later phase still rests on (the schema refuses the rest); its ledger
// entry counts, in the same transaction, the rows it removed and the rows it kept, table by table.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type pg from 'pg';
import type { CompensationStrategy, PhaseId } from '../../shared/phases';
import { MAX_ATTEMPTS, backoffMs, type RetryClass } from '../../shared/workflow';
import { notify } from '../../shared/notify';
import { inTransaction } from '../../shared/transaction';
import type { ActivityDeps } from './context';
import { deliverOutbox } from './delivery';

export interface CompensationRequest {
  workflowId: string;
  runId: string;
  cycleId: number;
  phase: PhaseId;
  strategy: CompensationStrategy;
  reason: string;
  /** Retry policy class of this step (notices go out by email; the rest is database work). */
  retryClass?: RetryClass;
  retryBaseMs?: number;
  /** An operator's retry of a failed entry: the entry is redone and turns `done`. */
  operatorRetry?: boolean;
}

export interface LedgerCounts {
  removed: Record<string, number>;
  kept: Record<string, number>;
  /** Why rows were kept, in the operator's words. */
  keptBecause?: string;
  messages?: number;
  withdrawn?: number;
}

interface Outcome {
  action: string;
  detail: LedgerCounts;
}

type Client = pg.PoolClient;

/** How the workflow words the reason of a cancel (see human-steps.ts). */
const OPERATOR_CANCEL = 'the cycle was cancelled';

/** What each phase's compensation does, as the ledger names it (a failed entry carries it too). */
export const COMPENSATION_ACTIONS: Record<PhaseId, string> = {
  planning: 'delete the test attributes no kept scoping decision or test result uses',
  scoping:
    'notify stakeholders that the approved scope is void; remove the scoping decisions no recorded result rests on',
  sample_selection: 'delete the selected samples no recorded test result uses',
  data_owner_identification: 'delete unconfirmed owner assignments, keep confirmed ones',
  request_for_information: 'withdraw RFIs and notify their owners',
  test_execution: 'delete unexecuted tests, keep recorded results',
  observation_management: 'leave observations for manual review',
  finalize_test_report: 'delete the final report',
};

async function removed(client: Client, sql: string, args: unknown[]): Promise<number> {
  return (await client.query(sql, args)).rowCount ?? 0;
}

async function remaining(client: Client, table: string, cycleId: number): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${table} WHERE cycle_id = $1`,
    [cycleId],
  );
  return rows[0]!.n;
}

async function notifyOwners(client: Client, req: CompensationRequest, subject: string, body: string) {
  const r = await client.query(
    `INSERT INTO message_outbox (dedupe_key, cycle_id, kind, recipient, subject, body)
     SELECT 'compensation:' || $1::text || ':' || $2::text || ':' || o.email, $3::int, 'compensation', o.email, $4::text, $5::text
       FROM data_owner_assignments a JOIN data_owners o ON o.id = a.owner_id
      WHERE a.cycle_id = $3::int AND o.email IS NOT NULL
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [req.workflowId, req.phase, req.cycleId, subject, body],
  );
  // An operator's cancel is on purpose: its notices go out and the ledger shows them, but nobody is warned.
  if (req.reason.startsWith(OPERATOR_CANCEL)) return r.rowCount ?? 0;
  await client.query(
    `INSERT INTO workflow_alerts (dedupe_key, workflow_id, run_id, phase, kind, severity, message)
     VALUES ($1, $2, $3, $4, 'compensation_notice', 'warning', $5) ON CONFLICT (dedupe_key) DO NOTHING`,
    [
      `${req.workflowId}:${req.runId}:${req.phase}:notify`,
      req.workflowId,
      req.runId,
      req.phase,
      `${subject}: ${req.reason}`,
    ],
  );
  return r.rowCount ?? 0;
}

/** Kept rows, and the reason in words when any are kept. */
function keptBecause(kept: number, why: string): { keptBecause?: string } {
  return kept > 0 ? { keptBecause: why } : {};
}

async function compensate(client: Client, req: CompensationRequest): Promise<LedgerCounts> {
  const c = req.cycleId;
  switch (req.phase) {
    case 'planning': {
      const n = await removed(
        client,
        `DELETE FROM test_attributes a WHERE a.cycle_id = $1
           AND NOT EXISTS (SELECT 1 FROM scoping_decisions d WHERE d.attribute_id = a.id)
           AND NOT EXISTS (SELECT 1 FROM test_executions e WHERE e.attribute_id = a.id)`,
        [c],
      );
      const kept = await remaining(client, 'test_attributes', c);
      return {
        removed: { test_attributes: n },
        kept: { test_attributes: kept },
        ...keptBecause(kept, 'kept scoping decisions and recorded test results use these attributes'),
      };
    }
    case 'scoping': {
      const messages = await notifyOwners(
        client,
        req,
        `Test cycle ${c}: scope withdrawn`,
        `The scope approved for test cycle ${c} no longer applies (${req.reason}).`,
      );
      const n = await removed(
        client,
        `DELETE FROM scoping_decisions d WHERE d.cycle_id = $1
           AND NOT EXISTS (SELECT 1 FROM test_executions e WHERE e.attribute_id = d.attribute_id)`,
        [c],
      );
      const kept = await remaining(client, 'scoping_decisions', c);
      return {
        removed: { scoping_decisions: n },
        kept: { scoping_decisions: kept },
        messages,
        ...keptBecause(kept, 'recorded test results were tested under these decisions'),
      };
    }
    case 'sample_selection': {
      const n = await removed(
        client,
        `DELETE FROM samples s WHERE s.cycle_id = $1
           AND NOT EXISTS (SELECT 1 FROM test_executions e WHERE e.sample_id = s.id)`,
        [c],
      );
      const kept = await remaining(client, 'samples', c);
      return {
        removed: { samples: n },
        kept: { samples: kept },
        ...keptBecause(kept, 'recorded test results were taken on these samples'),
      };
    }
    case 'data_owner_identification': {
      const n = await removed(
        client,
        'DELETE FROM data_owner_assignments WHERE cycle_id = $1 AND NOT confirmed',
        [c],
      );
      const kept = await remaining(client, 'data_owner_assignments', c);
      return {
        removed: { data_owner_assignments: n },
        kept: { data_owner_assignments: kept },
        ...keptBecause(kept, 'confirmed owners stay assigned'),
      };
    }
    case 'request_for_information': {
      const withdrawn = await removed(
        client,
        `UPDATE rfis SET status = 'withdrawn' WHERE cycle_id = $1 AND status <> 'withdrawn'`,
        [c],
      );
      const messages = await notifyOwners(
        client,
        req,
        `Test cycle ${c}: request for information withdrawn`,
        `No further information is needed for test cycle ${c} (${req.reason}).`,
      );
      const kept = await remaining(client, 'rfis', c);
      return {
        removed: {},
        kept: { rfis: kept },
        withdrawn,
        messages,
        ...keptBecause(kept, 'RFIs stay on record as withdrawn'),
      };
    }
    case 'test_execution': {
      const n = await removed(
        client,
        `DELETE FROM test_executions e WHERE e.cycle_id = $1 AND e.result IS NULL
           AND NOT EXISTS (SELECT 1 FROM observations o WHERE o.execution_id = e.id)`,
        [c],
      );
      const kept = await remaining(client, 'test_executions', c);
      return {
        removed: { test_executions: n },
        kept: { test_executions: kept },
        ...keptBecause(kept, 'recorded test results are kept'),
      };
    }
    case 'observation_management': {
      const kept = await remaining(client, 'observations', c);
      return {
        removed: {},
        kept: { observations: kept },
        ...keptBecause(kept, 'observations are left for manual review'),
      };
    }
    case 'finalize_test_report': {
      const n = await removed(client, 'DELETE FROM final_reports WHERE cycle_id = $1', [c]);
      return { removed: { final_reports: n }, kept: { final_reports: 0 } };
    }
  }
}

function errorText(err: unknown): string {
  const e = err as { message?: string; code?: string };
  return `${e.message ?? String(err)}${e.code ? ` (SQLSTATE ${e.code})` : ''}`;
}

export async function compensatePhase(deps: ActivityDeps, req: CompensationRequest): Promise<Outcome> {
  const attempt = Context.current().info.attempt;
  const client = await deps.pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const existing = await client.query<{ outcome: string; action: string; detail: LedgerCounts }>(
      'SELECT outcome, action, detail FROM workflow_compensation_log WHERE workflow_id = $1 AND run_id = $2 AND phase = $3 FOR UPDATE',
      [req.workflowId, req.runId, req.phase],
    );
    const entry = existing.rows[0];
    // Done once is done: a re-delivered attempt or a second retry changes nothing.
    if (entry && entry.outcome !== 'failed') {
      await client.query('COMMIT');
      return { action: entry.action, detail: entry.detail };
    }
    const action = COMPENSATION_ACTIONS[req.phase];
    const detail = await compensate(client, req);
    await client.query(
      `INSERT INTO workflow_compensation_log (workflow_id, run_id, phase, strategy, action, outcome, reason, detail, attempts)
       VALUES ($1, $2, $3, $4, $5, 'done', $6, $7, $8)
       ON CONFLICT (workflow_id, run_id, phase) DO UPDATE SET outcome = 'done', detail = EXCLUDED.detail,
         error = NULL, attempts = workflow_compensation_log.attempts + EXCLUDED.attempts, updated_at = now()`,
      [
        req.workflowId,
        req.runId,
        req.phase,
        req.strategy,
        action,
        req.reason,
        JSON.stringify(detail),
        attempt,
      ],
    );
    if (entry) {
      // An operator's retry: the phase row follows its ledger entry.
      await client.query(
        `UPDATE workflow_phases SET status = 'compensated' WHERE workflow_id = $1 AND run_id = $2 AND phase = $3`,
        [req.workflowId, req.runId, req.phase],
      );
    }
    await notify(
      client,
      req.workflowId,
      'workflow_compensation_log',
      req.phase,
      `compensated:${req.strategy}`,
    );
    await client.query('COMMIT');
    if (req.strategy === 'notify')
      await deliverOutbox(client, deps.config.mailWebhook, req.cycleId).catch(() => 0);
    return { action, detail };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    const retryClass = req.retryClass ?? 'database';
    const delay =
      attempt >= MAX_ATTEMPTS ? undefined : backoffMs(retryClass, attempt, req.retryBaseMs ?? 1000);
    throw ApplicationFailure.create({
      message: errorText(err),
      type: `compensation-${retryClass}-failure`,
      nextRetryDelay: delay,
    });
  } finally {
    client.release(broken);
  }
}

export interface CompensationFailure extends CompensationRequest {
  error: string;
  attempts: number;
  /** Set when this step was not run because a step it depends on failed. */
  heldBackBy?: PhaseId;
}

/** Records a compensation step that failed for good (or was held back): ledger `failed`, an alert, and the phase row. */
export async function recordCompensationFailure(deps: ActivityDeps, f: CompensationFailure): Promise<void> {
  await inTransaction(deps.pool, async (client) => {
    await client.query(
      `INSERT INTO workflow_compensation_log (workflow_id, run_id, phase, strategy, action, outcome, reason, detail, error, attempts)
       VALUES ($1, $2, $3, $4, $5, 'failed', $6, $7, $8, $9)
       ON CONFLICT (workflow_id, run_id, phase) DO UPDATE SET outcome = 'failed', error = EXCLUDED.error,
         attempts = workflow_compensation_log.attempts + EXCLUDED.attempts, updated_at = now()
       WHERE workflow_compensation_log.outcome = 'failed'`,
      [
        f.workflowId,
        f.runId,
        f.phase,
        f.strategy,
        COMPENSATION_ACTIONS[f.phase],
        f.reason,
        JSON.stringify({ removed: {}, kept: {} }),
        f.error,
        f.attempts,
      ],
    );
    await client.query(
      `INSERT INTO workflow_alerts (dedupe_key, workflow_id, run_id, phase, kind, severity, message)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedupe_key) DO NOTHING`,
      [
        `${f.workflowId}:${f.runId}:${f.phase}:compensation_failed:${f.operatorRetry ? Date.now() : 'chain'}`,
        f.workflowId,
        f.runId,
        f.phase,
        f.heldBackBy ? 'compensation_held_back' : 'compensation_failed',
        f.heldBackBy ? 'warning' : 'critical',
        f.heldBackBy
          ? `Compensation of ${f.phase} was not run: it waits for ${f.heldBackBy}, whose compensation failed. Retry it once that one is done.`
          : `Compensation of ${f.phase} failed after ${f.attempts} attempt(s): ${f.error}. Its rows are left as they are; fix the cause, then retry it or mark it resolved on the Compensation page.`,
      ],
    );
    await client.query(
      `UPDATE workflow_phases SET status = 'compensation_failed', failure = COALESCE(failure, $4)
        WHERE workflow_id = $1 AND run_id = $2 AND phase = $3 AND status <> 'compensated'`,
      [f.workflowId, f.runId, f.phase, `compensation failed: ${f.error}`],
    );
    await notify(client, f.workflowId, 'workflow_compensation_log', f.phase, 'compensation:failed');
  });
}
