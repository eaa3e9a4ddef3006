// Forwards the worker's tracking NOTIFYs (channel workflow_progress) as router events: push, not poll.
import pg from 'pg';
import { WorkflowProgressEventSchema, type WorkflowProgressEvent } from '../api/contract';
import type { Logger } from '../logs';

export const PROGRESS_CHANNEL = 'workflow_progress';

export class ProgressListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

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
      try {
        const parsed = WorkflowProgressEventSchema.safeParse(JSON.parse(msg.payload));
        if (parsed.success) this.onEvent(parsed.data);
      } catch {
        this.log.warn(`ignored a malformed ${PROGRESS_CHANNEL} payload`);
      }
    });
    client.on('error', (err) => {
      this.log.warn(`progress listener lost its connection: ${err.message}`);
      this.client = undefined;
      this.scheduleReconnect();
    });
    await client.connect();
    await client.query(`LISTEN ${PROGRESS_CHANNEL}`);
    this.client = client;
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.start().catch(() => this.scheduleReconnect());
    }, 2000);
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
