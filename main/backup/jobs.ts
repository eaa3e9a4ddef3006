// Backup jobs: every create, verify and restore runs as one, with progress events and a cancel; creates and
// restores never overlap (they stop and start the worker).
import crypto from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { OpsError, toErrorShape } from '../api';
import type { BackupJob } from '../api';
import { PARTIAL } from './sets';

export class Job {
  readonly abort = new AbortController();
  readonly state: BackupJob;
  private lastEmit = 0;

  constructor(
    action: BackupJob['action'],
    private readonly emit: (job: BackupJob) => void,
  ) {
    // Every file read and psql child of the job listens for its cancellation.
    setMaxListeners(0, this.abort.signal);
    this.state = {
      id: crypto.randomUUID(),
      action,
      state: 'running',
      step: 'starting',
      tablesDone: 0,
      tablesTotal: 0,
      bytesDone: 0,
      bytesTotal: 0,
      startedAt: new Date().toISOString(),
    };
  }

  /** Progress: forced updates always go out, the others at most every 250 ms. */
  update(patch: Partial<BackupJob>, force = true): void {
    Object.assign(this.state, patch);
    const now = Date.now();
    if (force || now - this.lastEmit > 250) {
      this.lastEmit = now;
      this.emit({ ...this.state });
    }
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }
}

export class JobRegistry {
  private readonly jobs = new Map<string, Job>();
  private exclusiveAction: string | undefined;

  constructor(private readonly emit: (job: BackupJob) => void) {}

  /** The create or restore running now, if any. */
  get exclusive(): string | undefined {
    return this.exclusiveAction;
  }

  async run<T>(action: BackupJob['action'], work: (job: Job) => Promise<T>, exclusive = true): Promise<T> {
    if (exclusive && this.exclusiveAction)
      throw new OpsError(
        'CONFLICT',
        `A backup or restore is already running (${this.exclusiveAction}).`,
        'Wait for it to finish, or cancel it on the Backups page.',
      );
    const job = new Job(action, this.emit);
    this.jobs.set(job.state.id, job);
    for (const [id, j] of this.jobs)
      if (this.jobs.size > 20 && j.state.state !== 'running') this.jobs.delete(id);
    if (exclusive) this.exclusiveAction = action;
    job.update({});
    try {
      const result = await work(job);
      job.update({ state: 'done', step: 'done' });
      return result;
    } catch (err) {
      const shape = toErrorShape(err);
      job.update({
        state: job.signal.aborted ? 'cancelled' : 'failed',
        error: { code: shape.code, message: shape.message, hint: shape.hint },
      });
      if (job.signal.aborted && !(err instanceof OpsError))
        throw new OpsError(
          'CONFLICT',
          `The ${action} was cancelled; nothing was changed.`,
          'Start it again when ready.',
        );
      throw err;
    } finally {
      if (exclusive) this.exclusiveAction = undefined;
    }
  }

  cancel(jobId: string): { cancelled: boolean } {
    const job = this.jobs.get(jobId);
    if (!job || job.state.state !== 'running') return { cancelled: false };
    job.abort.abort();
    return { cancelled: true };
  }

  list(): BackupJob[] {
    return [...this.jobs.values()].map((j) => ({ ...j.state }));
  }

  /** The partial set folders running backups are writing now (not leftovers). */
  writing(): Set<string> {
    return new Set(
      [...this.jobs.values()].filter((j) => j.state.state === 'running').map((j) => j.state.setId + PARTIAL),
    );
  }

  cancelAll(): void {
    for (const job of this.jobs.values()) if (job.state.state === 'running') job.abort.abort();
  }
}
