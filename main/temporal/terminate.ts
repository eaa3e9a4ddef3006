// Terminating a cycle: Temporal stops it, and the console records the end it saw in the tracking tables
// (a terminated workflow runs no more code to do it) and tells the live views.
import type { Client } from '@temporalio/client';
import type pg from 'pg';
import { notifyCycle } from '../../shared/notify';
import { inTransaction } from '../../shared/transaction';
import type { Logger } from '../logs';
import { workflowError } from './not-found';

export interface TerminateDeps {
  temporal: () => Promise<Client>;
  /** The app DB (its "does not answer" said as UNAVAILABLE by the caller). */
  withDb: <T>(work: (db: pg.Pool) => Promise<T>) => Promise<T>;
  log: Logger;
}

export async function terminateCycle(
  deps: TerminateDeps,
  workflowId: string,
  reason: string,
): Promise<{ terminated: true }> {
  const handle = (await deps.temporal()).workflow.getHandle(workflowId);
  await handle.terminate(reason).catch((err: unknown) => {
    throw workflowError(err, workflowId);
  });
  deps.log.warn(`terminated ${workflowId}: ${reason}`);
  await deps.withDb((db) =>
    inTransaction(db, async (client) => {
      const r = await client.query<{ run_id: string }>(
        `UPDATE workflow_executions SET status = 'terminated', failure = $2, finished_at = now(),
           duration_ms = (extract(epoch FROM now() - started_at) * 1000)::int
         WHERE workflow_id = $1 AND status IN ('running', 'needs_attention') RETURNING run_id`,
        [workflowId, `terminated: ${reason}`],
      );
      for (const { run_id } of r.rows) {
        await client.query(
          `UPDATE workflow_phases SET status = 'failed', failure = $3, finished_at = now()
            WHERE workflow_id = $1 AND run_id = $2 AND status IN ('running', 'needs_attention')`,
          [workflowId, run_id, `terminated: ${reason}`],
        );
      }
      await notifyCycle(client, workflowId, 'workflow_executions', 'execution:terminated');
    }),
  );
  return { terminated: true };
}
