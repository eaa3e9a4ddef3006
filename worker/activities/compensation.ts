// Undoes a completed phase by its strategy: rollback, partial rollback, notify or skip.
// Each action and its outcome is written to workflow_compensation_log, once per phase and run.
import type pg from 'pg';
import type { CompensationStrategy, PhaseId } from '../../main/api/contract/phases';
import { notify, type ActivityDeps } from './context';
import { deliverOutbox } from './delivery';

export interface CompensationRequest {
  workflowId: string;
  runId: string;
  cycleId: number;
  phase: PhaseId;
  strategy: CompensationStrategy;
  reason: string;
}

interface Outcome {
  action: string;
  detail: Record<string, unknown>;
}

type Client = pg.PoolClient;

/** How the workflow words the reason of a cancel (see human-steps.ts). */
const OPERATOR_CANCEL = 'the cycle was cancelled';

async function count(client: Client, sql: string, args: unknown[]): Promise<number> {
  return (await client.query(sql, args)).rowCount ?? 0;
}

async function notifyOwners(
  client: Client,
  req: CompensationRequest,
  subject: string,
  body: string,
): Promise<number> {
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

async function compensate(client: Client, req: CompensationRequest): Promise<Outcome> {
  const c = req.cycleId;
  switch (req.phase) {
    case 'planning':
      return {
        action: 'delete test attributes and their scoping decisions',
        detail: { attributes: await count(client, 'DELETE FROM test_attributes WHERE cycle_id = $1', [c]) },
      };
    case 'scoping':
      return {
        action: 'notify stakeholders that the approved scope is void',
        detail: {
          messages: await notifyOwners(
            client,
            req,
            `Test cycle ${c}: scope withdrawn`,
            `The scope approved for test cycle ${c} no longer applies (${req.reason}).`,
          ),
        },
      };
    case 'sample_selection':
      return {
        action: 'delete selected samples',
        detail: { samples: await count(client, 'DELETE FROM samples WHERE cycle_id = $1', [c]) },
      };
    case 'data_owner_identification':
      return {
        action: 'delete unconfirmed owner assignments, keep confirmed ones',
        detail: {
          removed: await count(
            client,
            'DELETE FROM data_owner_assignments WHERE cycle_id = $1 AND NOT confirmed',
            [c],
          ),
          kept: Number(
            (await client.query('SELECT count(*) AS n FROM data_owner_assignments WHERE cycle_id = $1', [c]))
              .rows[0].n,
          ),
        },
      };
    case 'request_for_information': {
      const withdrawn = await count(
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
      return { action: 'withdraw RFIs and notify their owners', detail: { withdrawn, messages } };
    }
    case 'test_execution':
      return {
        action: 'delete unexecuted tests, keep recorded results',
        detail: {
          removed: await count(client, 'DELETE FROM test_executions WHERE cycle_id = $1 AND result IS NULL', [
            c,
          ]),
          kept: Number(
            (await client.query('SELECT count(*) AS n FROM test_executions WHERE cycle_id = $1', [c])).rows[0]
              .n,
          ),
        },
      };
    case 'observation_management':
      return { action: 'leave observations for manual review', detail: {} };
    case 'finalize_test_report':
      return {
        action: 'delete the final report',
        detail: { reports: await count(client, 'DELETE FROM final_reports WHERE cycle_id = $1', [c]) },
      };
  }
}

export async function compensatePhase(deps: ActivityDeps, req: CompensationRequest): Promise<Outcome> {
  const client = await deps.pool.connect();
  try {
    await client.query('BEGIN');
    const done = await client.query<{ action: string; detail: Record<string, unknown> }>(
      'SELECT action, detail FROM workflow_compensation_log WHERE workflow_id = $1 AND run_id = $2 AND phase = $3',
      [req.workflowId, req.runId, req.phase],
    );
    if (done.rows[0]) {
      await client.query('COMMIT');
      return done.rows[0];
    }
    const outcome = await compensate(client, req);
    await client.query(
      `INSERT INTO workflow_compensation_log (workflow_id, run_id, phase, strategy, action, outcome, reason, detail)
       VALUES ($1, $2, $3, $4, $5, 'done', $6, $7) ON CONFLICT DO NOTHING`,
      [
        req.workflowId,
        req.runId,
        req.phase,
        req.strategy,
        outcome.action,
        req.reason,
        JSON.stringify(outcome.detail),
      ],
    );
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
    return outcome;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
