// What Temporal says of cycles, asked with a short time limit: the views fall back to the tracking rows when
// the server is slow or down.
import type { Client } from '@temporalio/client';
import type { CycleRow, CycleStatus, PendingActivityView } from '../api';

const TEMPORAL_STATUS: Record<string, CycleStatus> = {
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed_out',
  CONTINUED_AS_NEW: 'completed',
};

const SAFE_ID = /^[\w.:@-]+$/;

function within<T>(ms: number, work: Promise<T>): Promise<T | undefined> {
  return Promise.race([
    work.catch(() => undefined),
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref()),
  ]);
}

/**
 * Corrects the tracked status of running rows from Temporal visibility (terminate and timeouts write no row).
 * False when Temporal did not answer in time.
 */
export async function reconcileWithVisibility(
  temporal: () => Promise<Client>,
  rows: CycleRow[],
): Promise<boolean> {
  const running = rows.filter(
    (r) => (r.status === 'running' || r.status === 'needs_attention') && SAFE_ID.test(r.workflowId),
  );
  if (running.length === 0) return true;
  const statuses = await within(
    1500,
    (async () => {
      const client = await temporal();
      const found = new Map<string, CycleStatus>();
      const query = `WorkflowId IN (${running.map((r) => `'${r.workflowId}'`).join(', ')})`;
      for await (const w of client.workflow.list({ query, pageSize: running.length + 10 }))
        found.set(`${w.workflowId}|${w.runId}`, TEMPORAL_STATUS[w.status.name] ?? 'unknown');
      return found;
    })(),
  );
  if (!statuses) return false;
  for (const row of running) {
    const status = statuses.get(`${row.workflowId}|${row.runId}`);
    if (status && status !== 'running') row.status = status;
  }
  return true;
}

export async function temporalStatus(
  temporal: () => Promise<Client>,
  workflowId: string,
  runId: string,
  fallback: CycleStatus,
): Promise<CycleStatus> {
  const d = await within(
    2000,
    temporal().then((c) => c.workflow.getHandle(workflowId, runId).describe()),
  );
  return d ? (TEMPORAL_STATUS[d.status.name] ?? fallback) : fallback;
}

/** One run's status and pending activities as Temporal describes it; undefined when it does not answer in time. */
export async function temporalView(temporal: () => Promise<Client>, workflowId: string, runId: string) {
  return within(
    2500,
    (async () => {
      const handle = (await temporal()).workflow.getHandle(workflowId, runId);
      const d = await handle.describe();
      const status = TEMPORAL_STATUS[d.status.name] ?? 'unknown';
      const pending: PendingActivityView[] = (d.raw.pendingActivities ?? []).map((a) => ({
        activityId: a.activityId ?? '',
        activityType: a.activityType?.name ?? '',
        state: String(a.state ?? ''),
        attempt: a.attempt ?? 0,
        lastHeartbeatAt: tsIso(a.lastHeartbeatTime),
        lastFailure: a.lastFailure?.message ?? null,
        scheduledAt: tsIso(a.scheduledTime),
      }));
      // What the cycle waits for comes from its tracked human steps, not the `progress` query: a query makes
      // the worker replay a long history when the workflow is not in its cache.
      return { status, pending, waitingFor: undefined as string[] | undefined };
    })(),
  );
}

function tsIso(t: { seconds?: unknown; nanos?: number | null } | null | undefined): string | null {
  if (!t || t.seconds == null) return null;
  return new Date(Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)).toISOString();
}
