// The table loads of a restore, in data threads (data-thread.ts): each lane is one session to a new database,
// held by one thread, which reads a data file, takes its sha256, decompresses it and COPYs it in (or has the server
// read it through a pipe). The console's main thread only hands out the tables and hears back the file's sha256
// and the server's row count. One pool serves every database of a restore: a thread costs ~0.1 s of CPU to start.
import type { Worker } from 'node:worker_threads';
import {
  startDataThread,
  type CopyConnection,
  type CopyResult,
  type DataThreadReply,
  type DataThreadRequest,
  type PipeCopy,
} from './data-thread-protocol';

export type { CopyConnection, CopyResult };

interface Pending {
  onBytes?: (n: number) => void;
  resolve: (r: CopyResult) => void;
  reject: (e: Error) => void;
}

/** One table: its data file, and the statements around the COPY that reads it. */
export interface TableCopy {
  file: string;
  gz: boolean;
  /** Run first on the lane's session (the transaction's start). */
  begin: string;
  /** The COPY … FROM STDIN the file's bytes feed. */
  copy: string;
  /** Instead: the server reads the file's decompressed bytes from a named pipe (a server on this machine). */
  pipe?: PipeCopy;
  /** The database it goes into. */
  conn: CopyConnection;
}

/** Threads that copy table data files into new databases: lane n of a database is a session held by thread n. */
export class CopyPool {
  private readonly threads: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  /** Lanes whose session is being ended, by the id of the release asked for. */
  private readonly releasing = new Map<number, () => void>();
  private next = 0;

  constructor(threads: number) {
    for (let i = 0; i < Math.max(1, threads); i++) {
      const worker = startDataThread();
      worker.unref();
      worker.on('message', (m: DataThreadReply) => {
        if ('released' in m) {
          this.releasing.get(m.id)?.();
          this.releasing.delete(m.id);
          return;
        }
        const p = this.pending.get(m.id);
        if (!p) return;
        if ('bytes' in m) return p.onBytes?.(m.bytes);
        this.pending.delete(m.id);
        if ('copied' in m) p.resolve(m.copied);
        else if ('error' in m) p.reject(Object.assign(new Error(m.error), { session: m.session === true }));
      });
      worker.on('error', (err) => {
        for (const [id, p] of this.pending) {
          this.pending.delete(id);
          p.reject(err);
        }
      });
      this.threads.push(worker);
    }
  }

  get lanes(): number {
    return this.threads.length;
  }

  /** Copies one table on `lane`; `signal` stops it (the COPY fails and its transaction rolls back). */
  copy(
    lane: number,
    table: TableCopy,
    onBytes: (n: number) => void,
    signal?: AbortSignal,
  ): Promise<CopyResult> {
    const id = this.next++;
    const thread = this.threads[lane % this.threads.length]!;
    const done = new Promise<CopyResult>((resolve, reject) =>
      this.pending.set(id, { onBytes, resolve, reject }),
    );
    const stop = () => thread.postMessage({ type: 'stop', id } satisfies DataThreadRequest);
    thread.postMessage({ type: 'copy', id, lane, ...table } satisfies DataThreadRequest);
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
    return done.finally(() => signal?.removeEventListener('abort', stop));
  }

  /** Ends every thread's sessions to `database` (so it can be swapped in or dropped), or all of them. */
  async release(database?: string): Promise<void> {
    await Promise.all(
      this.threads.map(async (thread) => {
        const id = this.next++;
        const released = new Promise<void>((resolve) => this.releasing.set(id, resolve));
        thread.postMessage({ type: 'release', id, database } satisfies DataThreadRequest);
        await Promise.race([released, new Promise((r) => setTimeout(r, 5_000).unref())]);
      }),
    );
  }

  /** Ends every session, then the threads. */
  async close(): Promise<void> {
    await this.release();
    await Promise.all(this.threads.map((t) => t.terminate()));
  }
}
