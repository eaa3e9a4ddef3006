// After a restore (or the loss of either database): what the app DB and Temporal disagree about, and the fix for each.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { ReconcileItem, ReconcileReport } from '../api';
import { PHASE_IDS } from '../api';
import type { CycleService } from '../temporal';
import type { StackSpec } from '../stack';
import { withClient } from './database';

interface InFlightCycle {
  id: number;
  workflow_id: string;
  report_ids: number[];
  completed: string[] | null;
}

/** The fix for a cycle Temporal has lost: start it again, skipping the phases the app DB shows as completed. */
export function restartAdvice(cycle: { id: number; reportIds: number[]; completed: string[] }): {
  lastCompletedPhase?: string;
  skipPhases: string[];
  action: string;
} {
  const done = PHASE_IDS.filter((p) => cycle.completed.includes(p));
  // Only a prefix of completed phases can be skipped: a later phase may depend on an unfinished earlier one.
  const skip: string[] = [];
  for (const p of PHASE_IDS) {
    if (!done.includes(p)) break;
    skip.push(p);
  }
  const last = skip.at(-1);
  return {
    lastCompletedPhase: last,
    skipPhases: skip,
    action: last
      ? `Restart cycle ${cycle.id} from the phase after ${last} (workflows.start with skipPhases ${JSON.stringify(skip)}).`
      : `Restart cycle ${cycle.id} from the beginning (workflows.start).`,
  };
}

export async function reconcile(spec: StackSpec, cycles: CycleService): Promise<ReconcileReport> {
  const app = spec.appPostgres;
  const { inFlight, tracked } = await withClient(app, app.database, async (c) => {
    const inFlight = (
      await c.query<InFlightCycle>(
        `SELECT t.id, t.workflow_id, t.report_ids,
                (SELECT array_agg(DISTINCT p.phase) FROM workflow_phases p
                  WHERE p.workflow_id = t.workflow_id AND p.status = 'completed') AS completed
           FROM test_cycles t
          WHERE t.status = 'running' AND t.workflow_id IS NOT NULL
          ORDER BY t.id`,
      )
    ).rows;
    const tracked = new Set(
      (
        await c.query<{ workflow_id: string }>(`SELECT DISTINCT workflow_id FROM workflow_executions`)
      ).rows.map((r) => r.workflow_id),
    );
    return { inFlight, tracked };
  });
  const items: ReconcileItem[] = [];
  let client;
  try {
    client = await cycles.client();
    await client.workflowService.getSystemInfo({});
  } catch {
    client = undefined;
  }
  for (const c of inFlight) {
    const advice = restartAdvice({ id: c.id, reportIds: c.report_ids, completed: c.completed ?? [] });
    if (!client) {
      items.push({
        workflowId: c.workflow_id,
        cycleId: c.id,
        problem: 'unknown-to-temporal',
        detail: `Cycle ${c.id} is in flight in the app DB; Temporal cannot be reached to confirm it.`,
        action: `Start the stack, then reconcile again. If Temporal has lost it: ${advice.action}`,
        lastCompletedPhase: advice.lastCompletedPhase,
        skipPhases: advice.skipPhases,
        reportIds: c.report_ids,
      });
      continue;
    }
    try {
      const d = await client.workflow.getHandle(c.workflow_id).describe();
      if (d.status.name !== 'RUNNING')
        items.push({
          workflowId: c.workflow_id,
          cycleId: c.id,
          problem: 'closed-in-temporal',
          detail: `Cycle ${c.id} is in flight in the app DB, but its workflow is ${d.status.name.toLowerCase()} in Temporal.`,
          action: advice.action,
          lastCompletedPhase: advice.lastCompletedPhase,
          skipPhases: advice.skipPhases,
          reportIds: c.report_ids,
        });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      items.push({
        workflowId: c.workflow_id,
        cycleId: c.id,
        problem: 'unknown-to-temporal',
        detail: `Cycle ${c.id} is in flight in the app DB, but Temporal does not know workflow ${c.workflow_id} (the Temporal DB was lost or restored from before it started).`,
        action: advice.action,
        lastCompletedPhase: advice.lastCompletedPhase,
        skipPhases: advice.skipPhases,
        reportIds: c.report_ids,
      });
    }
  }
  if (client) {
    for await (const wf of client.workflow.list({ query: 'ExecutionStatus="Running"' })) {
      // The stack validation's own probe workflow is no cycle (visibility may still list it as running).
      if (tracked.has(wf.workflowId) || wf.type === 'OpsConsoleValidation') continue;
      items.push({
        workflowId: wf.workflowId,
        problem: 'untracked-workflow',
        detail: `Workflow ${wf.workflowId} (${wf.type}) runs in Temporal but the app DB has no tracking row for it (the app DB was restored from before it started).`,
        action: `Cancel it (workflows.cancel) if its cycle should not run, or let it finish: it writes its tracking rows as it goes.`,
      });
    }
  }
  const summary = items.length
    ? `${items.length} disagreement${items.length === 1 ? '' : 's'} between the app DB and Temporal.`
    : client
      ? 'The app DB and Temporal agree: every in-flight cycle is running in Temporal and every running workflow is tracked.'
      : 'Temporal cannot be reached; nothing in flight in the app DB.';
  return { at: new Date().toISOString(), temporalReachable: Boolean(client), items, summary };
}
