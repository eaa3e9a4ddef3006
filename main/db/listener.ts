// Forwards the worker's tracking NOTIFYs (channel workflow_progress) as router events: push, not poll.
import pg from 'pg';
import { PROGRESS_CHANNEL } from '../../shared/notify';
import { WorkflowProgressEventSchema, type WorkflowProgressEvent } from '../api';
import type { Logger } from '../logs';

export { PROGRESS_CHANNEL };
const RECONNECT_FIRST_MS = 250;
const RECONNECT_MAX_MS = 8000;
/** The listener's own state as a progress event (workflowId '*'): 'lost', then 'resync' once it is back. */
export const LISTENER_EVENT = { workflowId: '*', table: 'listener' } as const;

/**
 * The progress events of one notice: one transaction's changes come as one notice with their list
 * (`{workflowId, at, events}`), a single change as itself. What does not parse is named, and skipped.
 */
export function progressEvents(payload: string): { events: WorkflowProgressEvent[]; ignored?: string } {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(payload) as Record<string, unknown>;
  } catch {
    return { events: [], ignored: 'not JSON' };
  }
  const changes: Array<Record<string, unknown>> = Array.isArray(raw.events)
    ? (raw.events as Array<Record<string, unknown>>).map((e) => ({
        ...e,
        workflowId: raw.workflowId,
        at: raw.at,
      }))
    : [raw];
  const events: WorkflowProgressEvent[] = [];
  let unknown = 0;
  for (const change of changes) {
    // A change of the whole cycle (its status, its input) names no phase: the notice says null.
    if (change.phase === null) delete change.phase;
    const parsed = WorkflowProgressEventSchema.safeParse(change);
    if (parsed.success) events.push(parsed.data);
    else unknown++;
  }
  return unknown ? { events, ignored: `${unknown} change(s) of an unknown shape` } : { events };
}

export class ProgressListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private backoffMs = RECONNECT_FIRST_MS;
  private lost = false;

  constructor(
    private readonly url: () => string,
    private readonly onEvent: (event: WorkflowProgressEvent) => void,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    if (this.client) return;
    const client = new pg.Client({ connectionString: this.url() });
    client.on('notification', (msg) => {
      if (msg.channel !== PROGRESS_CHANNEL || !msg.payload) return;
      const { events, ignored } = progressEvents(msg.payload);
      for (const event of events) this.onEvent(event);
      if (ignored)
        this.log.warn(`ignored a ${PROGRESS_CHANNEL} payload: ${ignored}: ${msg.payload.slice(0, 200)}`);
    });
    client.on('error', (err) => {
      this.log.warn(`progress listener lost its connection: ${err.message}`);
      this.client = undefined;
      this.markLost();
      this.scheduleReconnect();
    });
    // A server that closes the connection cleanly ends it without an error.
    client.on('end', () => {
      if (this.client !== client || this.stopped) return;
      this.client = undefined;
      this.markLost();
      this.scheduleReconnect();
    });
    await client.connect();
    await client.query(`LISTEN ${PROGRESS_CHANNEL}`);
    this.client = client;
    this.backoffMs = RECONNECT_FIRST_MS;
    if (this.lost) {
      // Whatever was written while the listener was away raised no event here: tell the views to re-read.
      this.lost = false;
      this.onEvent({ ...LISTENER_EVENT, kind: 'resync', at: new Date().toISOString() });
    }
  }

  private markLost(): void {
    if (this.lost || this.stopped) return;
    this.lost = true;
    this.onEvent({ ...LISTENER_EVENT, kind: 'lost', at: new Date().toISOString() });
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retry) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, RECONNECT_MAX_MS);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.start().catch(() => this.scheduleReconnect());
    }, delay);
    this.retry.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
