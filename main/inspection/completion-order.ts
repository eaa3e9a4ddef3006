// The order a running cycle completed its phases in, asked of the workflow itself (its `progress` query): finish
// times tie when two phases complete in the same workflow task, and only the workflow knows which came first.
import type { Client } from '@temporalio/client';
import type { PhaseId } from '../../shared/phases';

/** How long a preview waits for the worker to answer before it falls back to the finish times. */
const QUERY_WAIT_MS = 3_000;

export async function completionOrder(
  temporal: () => Promise<Client>,
  workflowId: string,
): Promise<PhaseId[] | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const client = await temporal();
    const view = await Promise.race([
      client.workflow.getHandle(workflowId).query<{ completedOrder?: PhaseId[] }>('progress'),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), QUERY_WAIT_MS))),
    ]);
    return view?.completedOrder;
  } catch {
    // No worker to answer, or a cycle started before the workflow reported its order.
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
