// One table's data file, followed while pg_dump writes it, in a thread of its own: the content checksum (as
// ContentHasher computes it), gzip, the sha256 of what is written, the write and its fsync. The hashing is the
// CPU-heavy part of a backup; in threads, one per file being written, it runs beside pg_dump's processes instead of
// queueing on the console's main thread. The thread's code is self-contained (Node built-ins only), so it runs the
// same from the sources and from the bundle.
import { Worker } from 'node:worker_threads';

const THREAD = String.raw`
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');
const zlib = require('node:zlib');
const files = new Map();
let aborted = false;
parentPort.on('message', (m) => {
  if (m.type === 'follow') {
    const f = { finished: false };
    files.set(m.id, f);
    follow(m, f)
      .catch((e) => parentPort.postMessage({ id: m.id, error: String((e && e.message) || e) }))
      .finally(() => files.delete(m.id));
  } else if (m.type === 'finished') {
    const f = files.get(m.id);
    if (f) f.finished = true;
  } else if (m.type === 'abort') aborted = true;
  else if (m.type === 'close') parentPort.removeAllListeners('message');
});
const HOLD = 16;
const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function follow({ id, src, tmp, level }, f) {
  const content = crypto.createHash('sha256');
  const fileHash = crypto.createHash('sha256');
  let rows = 0;
  let size = 0;
  let held = Buffer.alloc(0);
  let hashMs = 0;
  let checksumMs = 0;
  const feed = (b) => {
    if (b.length === 0) return;
    content.update(b);
    for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) rows++;
  };
  // The archive's end-of-data marker is not content: the last bytes are held back until the end.
  const update = (chunk) => {
    if (chunk.length >= HOLD) {
      feed(held);
      feed(chunk.subarray(0, chunk.length - HOLD));
      held = Buffer.from(chunk.subarray(chunk.length - HOLD));
      return;
    }
    const all = Buffer.concat([held, chunk]);
    const excess = Math.max(0, all.length - HOLD);
    feed(all.subarray(0, excess));
    held = Buffer.from(all.subarray(excess));
  };
  const fd = fs.openSync(src, 'r');
  const out = fs.openSync(tmp, 'w', 0o600);
  try {
    const gzip = zlib.createGzip({ level, chunkSize: 1 << 18 });
    gzip.on('data', (c) => {
      const t0 = performance.now();
      fileHash.update(c);
      hashMs += performance.now() - t0;
      size += c.length;
      fs.writeSync(out, c);
    });
    const gzipped = new Promise((resolve, reject) => {
      gzip.on('end', resolve);
      gzip.on('error', reject);
    });
    for (;;) {
      await tick();
      if (aborted) throw new Error('cancelled');
      const closed = f.finished; // read before the check: what was written before the close is all read
      const buf = Buffer.allocUnsafe(1 << 20);
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n > 0) {
        const chunk = buf.subarray(0, n);
        const t0 = performance.now();
        update(chunk);
        checksumMs += performance.now() - t0;
        parentPort.postMessage({ id, bytes: n });
        if (!gzip.write(chunk)) await new Promise((r) => gzip.once('drain', r));
      } else if (closed) break;
      else await sleep(15);
    }
    gzip.end();
    await gzipped;
    const t0 = performance.now();
    fs.fsyncSync(out);
    const fsyncMs = performance.now() - t0;
    const tail = held.toString('latin1');
    const m = /\\\.\n+$/.exec(tail);
    feed(m ? Buffer.from(tail.slice(0, m.index), 'latin1') : held);
    parentPort.postMessage({
      id,
      done: { rows, checksum: content.digest('hex'), sha256: fileHash.digest('hex'), size, hashMs, checksumMs, fsyncMs },
    });
  } finally {
    fs.closeSync(fd);
    fs.closeSync(out);
  }
}
`;

export interface FollowResult {
  rows: number;
  checksum: string;
  sha256: string;
  size: number;
  hashMs: number;
  checksumMs: number;
  fsyncMs: number;
}

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
      const worker = new Worker(THREAD, { eval: true });
      const thread = { worker, active: 0 };
      worker.on('message', (m: { id: number; bytes?: number; done?: FollowResult; error?: string }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        if (m.bytes) p.onBytes(m.bytes);
        if (m.done || m.error) {
          this.pending.delete(m.id);
          thread.active--;
          if (m.done) p.resolve(m.done);
          else p.reject(new Error(m.error));
        }
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

  follow(src: string, tmp: string, level: number, onBytes: (n: number) => void): FollowedFile {
    const id = this.next++;
    const thread = this.threads.reduce((a, b) => (b.active < a.active ? b : a));
    thread.active++;
    const done = new Promise<FollowResult>((resolve, reject) =>
      this.pending.set(id, { resolve, reject, onBytes }),
    );
    thread.worker.postMessage({ type: 'follow', id, src, tmp, level });
    return { finished: () => thread.worker.postMessage({ type: 'finished', id }), done };
  }

  /** Every follower stops; their promises reject. */
  abort(): void {
    for (const t of this.threads) t.worker.postMessage({ type: 'abort' });
  }

  async close(): Promise<void> {
    this.failAll(new Error('the backup ended'));
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
