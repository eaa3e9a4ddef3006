// One table's data file, followed while pg_dump writes it, in a data thread (data-thread.ts): the content
// checksum, gzip, the sha256 of what is written, the write and its fsync. The hashing is the CPU-heavy part of a
// backup; in threads it runs beside pg_dump's processes instead of queueing on the console's main thread.
import type { Worker } from 'node:worker_threads';
import {
  startDataThread,
  type DataThreadReply,
  type DataThreadRequest,
  type FollowResult,
  type GzipSettings,
} from './data-thread-protocol';

export type { FollowResult };

export interface FollowedFile {
  /** pg_dump closed the file (or exited): the follower ends once it has read everything. */
  finished(): void;
  done: Promise<FollowResult>;
}

interface Pending {
  resolve: (r: FollowResult) => void;
  reject: (e: Error) => void;
  onBytes: (n: number) => void;
}

/**
 * A few threads (one per core) that follow data files: each thread takes any number of files at once (a follower
 * mostly waits for pg_dump), a new file going to the thread with the fewest.
 */
export class FollowPool {
  private readonly threads: Array<{ worker: Worker; active: number }> = [];
  private readonly pending = new Map<number, Pending>();
  private next = 0;

  constructor(size: number) {
    for (let i = 0; i < Math.max(1, size); i++) {
      const worker = startDataThread();
      const thread = { worker, active: 0 };
      worker.on('message', (m: DataThreadReply) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        if ('bytes' in m) return p.onBytes(m.bytes);
        if (!('done' in m) && !('error' in m)) return;
        this.pending.delete(m.id);
        thread.active--;
        if ('done' in m) p.resolve(m.done);
        else p.reject(new Error(m.error));
      });
      worker.on('error', (err) => this.failAll(err));
      this.threads.push(thread);
    }
  }

  private failAll(err: Error): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(err);
    }
  }

  follow(src: string, tmp: string, gzip: GzipSettings, onBytes: (n: number) => void): FollowedFile {
    const id = this.next++;
    const thread = this.threads.reduce((a, b) => (b.active < a.active ? b : a));
    thread.active++;
    const done = new Promise<FollowResult>((resolve, reject) =>
      this.pending.set(id, { resolve, reject, onBytes }),
    );
    thread.worker.postMessage({ type: 'follow', id, src, tmp, gzip } satisfies DataThreadRequest);
    return {
      finished: () => thread.worker.postMessage({ type: 'finished', id } satisfies DataThreadRequest),
      done,
    };
  }

  /** Every follower stops; their promises reject. */
  abort(): void {
    for (const t of this.threads) t.worker.postMessage({ type: 'abort' } satisfies DataThreadRequest);
  }

  async close(): Promise<void> {
    this.failAll(new Error('the backup ended'));
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
