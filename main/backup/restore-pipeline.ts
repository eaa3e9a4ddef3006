// The read side of a restore's table load, in data threads (data-thread.ts): each data file's sha256 and its
// decompression run in a pool of threads (one per core), and the console's main thread only passes the
// decompressed COPY text (handed over, not copied) on to the server. Flow is paced by the COPY: a
// thread stays at most a few chunks ahead of what the server has taken.
import { Readable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import {
  startDataThread,
  type DataThreadReply,
  type DataThreadRequest,
  type ReadResult,
} from './data-thread-protocol';

export type { ReadResult };

interface Reading {
  stream: Readable;
  onBytes: (n: number) => void;
  resolve: (r: ReadResult) => void;
  reject: (e: Error) => void;
}

/** A pool of threads that read archive data files for the load (see the top of this file). */
export class ReadPool {
  private readonly threads: Array<{ worker: Worker; active: number }> = [];
  private readonly reading = new Map<number, Reading>();
  private next = 0;

  constructor(size: number) {
    for (let i = 0; i < Math.max(1, size); i++) {
      const worker = startDataThread();
      worker.unref();
      const thread = { worker, active: 0 };
      worker.on('message', (m: DataThreadReply) => {
        const r = this.reading.get(m.id);
        if (!r) return;
        if ('bytes' in m) r.onBytes(m.bytes);
        if ('chunk' in m) {
          const chunk = Buffer.from(m.chunk.buffer, m.chunk.byteOffset, m.chunk.byteLength);
          // Credit back at once while the COPY keeps up; otherwise when it asks for more.
          if (r.stream.push(chunk))
            worker.postMessage({ type: 'ack', id: m.id, n: 1 } satisfies DataThreadRequest);
          else this.owed.set(m.id, (this.owed.get(m.id) ?? 0) + 1);
        }
        if ('end' in m || 'error' in m) {
          this.reading.delete(m.id);
          this.owed.delete(m.id);
          thread.active--;
          if ('end' in m) {
            r.stream.push(null);
            r.resolve(m.end);
          } else {
            const err = new Error(m.error);
            r.stream.destroy(err);
            r.reject(err);
          }
        }
      });
      worker.on('error', (err) => {
        for (const [id, r] of this.reading) {
          this.reading.delete(id);
          r.stream.destroy(err);
          r.reject(err);
        }
      });
      this.threads.push(thread);
    }
  }

  private readonly owed = new Map<number, number>();

  /** The decompressed bytes of `file` as a stream; `result` settles with the sha256 of the file. */
  read(
    file: string,
    gz: boolean,
    onBytes: (n: number) => void,
  ): { stream: Readable; result: Promise<ReadResult> } {
    const id = this.next++;
    const thread = this.threads.reduce((a, b) => (b.active < a.active ? b : a));
    thread.active++;
    const stream = new Readable({
      read: () => {
        const n = this.owed.get(id);
        if (n) {
          this.owed.delete(id);
          thread.worker.postMessage({ type: 'ack', id, n } satisfies DataThreadRequest);
        }
      },
      destroy: (err, done) => {
        if (this.reading.has(id)) thread.worker.postMessage({ type: 'stop', id } satisfies DataThreadRequest);
        done(err);
      },
    });
    const result = new Promise<ReadResult>((resolve, reject) =>
      this.reading.set(id, { stream, onBytes, resolve, reject }),
    );
    result.catch(() => undefined); // the stream carries the error to the pipeline
    thread.worker.postMessage({ type: 'read', id, file, gz } satisfies DataThreadRequest);
    return { stream, result };
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
