// The read side of a restore's table load, in threads: each data file's sha256, its decompression and the content
// checksum of what comes out run in a pool of threads (one per core), and the console's main thread only passes
// the decompressed COPY text on to the server. Flow is paced by the COPY: a thread stays at most a few chunks
// ahead of what the server has taken. The thread's code is self-contained (Node built-ins only), so it runs the
// same from the sources and from the bundle.
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';

const THREAD = String.raw`
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');
const zlib = require('node:zlib');
const reads = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'read') {
    const r = { credit: 8, wake: null, stopped: false };
    reads.set(m.id, r);
    read(m, r)
      .catch((e) => parentPort.postMessage({ id: m.id, error: String((e && e.message) || e) }))
      .finally(() => reads.delete(m.id));
  } else if (m.type === 'ack') {
    const r = reads.get(m.id);
    if (!r) return;
    r.credit += m.n;
    if (r.wake) { const w = r.wake; r.wake = null; w(); }
  } else if (m.type === 'stop') {
    const r = reads.get(m.id);
    if (r) { r.stopped = true; if (r.wake) { const w = r.wake; r.wake = null; w(); } }
  }
});
const HOLD = 16;
async function read({ id, file, gz }, r) {
  const fileHash = crypto.createHash('sha256');
  const content = crypto.createHash('sha256');
  let rows = 0;
  let held = Buffer.alloc(0);
  const feed = (b) => {
    if (b.length === 0) return;
    content.update(b);
    for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) rows++;
  };
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
  const waitCredit = async () => {
    while (r.credit <= 0 && !r.stopped) await new Promise((w) => (r.wake = w));
    if (r.stopped) throw new Error('stopped');
  };
  const send = async (c) => {
    await waitCredit();
    r.credit--;
    update(c);
    parentPort.postMessage({ id, chunk: c });
  };
  const fd = fs.openSync(file, 'r');
  try {
    let out = Promise.resolve();
    let gunzip;
    let unzipped;
    if (gz) {
      gunzip = zlib.createGunzip({ chunkSize: 1 << 18 });
      const queue = [];
      unzipped = new Promise((resolve, reject) => {
        gunzip.on('error', reject);
        gunzip.on('end', () => out.then(resolve, reject));
      });
      gunzip.on('data', (c) => {
        const copy = Buffer.from(c);
        gunzip.pause();
        out = out.then(() => send(copy)).then(() => gunzip.resume(), (e) => gunzip.destroy(e));
      });
    }
    for (;;) {
      const buf = Buffer.allocUnsafe(1 << 20);
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const chunk = buf.subarray(0, n);
      fileHash.update(chunk);
      parentPort.postMessage({ id, bytes: n });
      if (gunzip) {
        if (!gunzip.write(chunk))
          await new Promise((w, j) => {
            const onError = (e) => { gunzip.off('drain', onDrain); j(e); };
            const onDrain = () => { gunzip.off('error', onError); w(); };
            gunzip.once('drain', onDrain);
            gunzip.once('error', onError);
          });
      } else await send(chunk);
      if (r.stopped) throw new Error('stopped');
    }
    if (gunzip) {
      gunzip.end();
      await unzipped;
    }
    const tail = held.toString('latin1');
    const m = /\\\.\n+$/.exec(tail);
    feed(m ? Buffer.from(tail.slice(0, m.index), 'latin1') : held);
    parentPort.postMessage({ id, end: { sha256: fileHash.digest('hex'), rows, checksum: content.digest('hex') } });
  } finally {
    fs.closeSync(fd);
  }
}
`;

export interface ReadResult {
  sha256: string;
  rows: number;
  checksum: string;
}

type Message = { id: number; bytes?: number; chunk?: Uint8Array; end?: ReadResult; error?: string };

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
      const worker = new Worker(THREAD, { eval: true });
      worker.unref();
      const thread = { worker, active: 0 };
      worker.on('message', (m: Message) => {
        const r = this.reading.get(m.id);
        if (!r) return;
        if (m.bytes) r.onBytes(m.bytes);
        if (m.chunk) {
          const chunk = Buffer.from(m.chunk.buffer, m.chunk.byteOffset, m.chunk.byteLength);
          // Credit back at once while the COPY keeps up; otherwise when it asks for more.
          if (r.stream.push(chunk)) worker.postMessage({ type: 'ack', id: m.id, n: 1 });
          else this.owed.set(m.id, (this.owed.get(m.id) ?? 0) + 1);
        }
        if (m.end || m.error) {
          this.reading.delete(m.id);
          this.owed.delete(m.id);
          thread.active--;
          if (m.end) {
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

  /** The decompressed bytes of `file` as a stream; `result` settles with its sha256 and content checksum. */
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
          thread.worker.postMessage({ type: 'ack', id, n });
        }
      },
      destroy: (err, done) => {
        if (this.reading.has(id)) thread.worker.postMessage({ type: 'stop', id });
        done(err);
      },
    });
    const result = new Promise<ReadResult>((resolve, reject) =>
      this.reading.set(id, { stream, onBytes, resolve, reject }),
    );
    result.catch(() => undefined); // the stream carries the error to the pipeline
    thread.worker.postMessage({ type: 'read', id, file, gz });
    return { stream, result };
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
