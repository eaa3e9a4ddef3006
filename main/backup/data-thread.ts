// The thread that does a set's byte work, for both directions. A backup's `follow`: one table's data file read
// while pg_dump writes it, its content checksum taken, gzipped, the sha256 of what is written, the write and its
// fsync. A restore's `read`: one data file's sha256, its decompression and the content checksum of what comes out,
// the bytes passed back to the COPY on the console's main thread. Built as its own bundle (dist/backup/
// data-thread.mjs) and started by FollowPool and ReadPool; the content checksum is ContentHasher's, the same code
// the console's main thread uses on a live database.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import zlib from 'node:zlib';
import { ContentHasher } from './content-hash';
import type { DataThreadReply, DataThreadRequest, FollowResult, GzipSettings } from './data-thread-protocol';

const port = parentPort!;
const reply = (m: DataThreadReply) => port.postMessage(m);
const CHUNK = 1 << 20;

/** A followed file: pg_dump closed it (or exited) once `finished` is set. */
const following = new Map<number, { finished: boolean }>();
/** A file read for a restore: `credit` chunks may go ahead of what the COPY has taken. */
const reading = new Map<number, { credit: number; wake: (() => void) | null; stopped: boolean }>();
let aborted = false;

const message = (e: unknown) => String((e as Error | undefined)?.message ?? e);

port.on('message', (m: DataThreadRequest) => {
  switch (m.type) {
    case 'follow': {
      const f = { finished: false };
      following.set(m.id, f);
      follow(m.id, m.src, m.tmp, m.gzip, f)
        .catch((e: unknown) => reply({ id: m.id, error: message(e) }))
        .finally(() => following.delete(m.id));
      return;
    }
    case 'finished': {
      const f = following.get(m.id);
      if (f) f.finished = true;
      return;
    }
    case 'abort':
      aborted = true;
      return;
    case 'read': {
      const r = { credit: 8, wake: null, stopped: false };
      reading.set(m.id, r);
      read(m.id, m.file, m.gz, r)
        .catch((e: unknown) => reply({ id: m.id, error: message(e) }))
        .finally(() => reading.delete(m.id));
      return;
    }
    case 'ack':
    case 'stop': {
      const r = reading.get(m.id);
      if (!r) return;
      if (m.type === 'ack') r.credit += m.n;
      else r.stopped = true;
      const wake = r.wake;
      r.wake = null;
      wake?.();
      return;
    }
  }
});

const tick = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function follow(
  id: number,
  src: string,
  tmp: string,
  settings: GzipSettings,
  f: { finished: boolean },
) {
  const content = new ContentHasher(true);
  const fileHash = crypto.createHash('sha256');
  let size = 0;
  let hashMs = 0;
  let checksumMs = 0;
  const fd = fs.openSync(src, 'r');
  const out = fs.openSync(tmp, 'w', 0o600);
  try {
    const gzip = zlib.createGzip({ ...settings, chunkSize: 1 << 18 });
    gzip.on('data', (c: Buffer) => {
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
      const closed = f.finished; // read before the read: what was written before the close is all read
      const buf = Buffer.allocUnsafe(CHUNK);
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n > 0) {
        const chunk = buf.subarray(0, n);
        // Compression first: zlib works on libuv's threads while this thread takes the checksum.
        const more = gzip.write(chunk);
        const t0 = performance.now();
        content.update(chunk);
        checksumMs += performance.now() - t0;
        reply({ id, bytes: n });
        if (!more) await new Promise((r) => gzip.once('drain', r));
      } else if (closed) break;
      else await sleep(15);
    }
    gzip.end();
    await gzipped;
    const t0 = performance.now();
    fs.fsyncSync(out);
    const fsyncMs = performance.now() - t0;
    const { rows, checksum } = content.digest();
    const done: FollowResult = {
      rows,
      checksum,
      sha256: fileHash.digest('hex'),
      size,
      hashMs,
      checksumMs,
      fsyncMs,
    };
    reply({ id, done });
  } finally {
    fs.closeSync(fd);
    fs.closeSync(out);
  }
}

async function read(
  id: number,
  file: string,
  gz: boolean,
  r: { credit: number; wake: (() => void) | null; stopped: boolean },
) {
  const fileHash = crypto.createHash('sha256');
  const content = new ContentHasher(true);
  const waitCredit = async () => {
    while (r.credit <= 0 && !r.stopped) await new Promise<void>((w) => (r.wake = w));
    if (r.stopped) throw new Error('stopped');
  };
  const send = async (c: Buffer) => {
    await waitCredit();
    r.credit--;
    content.update(c);
    reply({ id, chunk: c });
  };
  const fd = fs.openSync(file, 'r');
  try {
    let out = Promise.resolve();
    let gunzip: zlib.Gunzip | undefined;
    let unzipped: Promise<void> | undefined;
    if (gz) {
      const g = zlib.createGunzip({ chunkSize: 1 << 18 });
      gunzip = g;
      unzipped = new Promise<void>((resolve, reject) => {
        g.on('error', reject);
        g.on('end', () => out.then(resolve, reject));
      });
      g.on('data', (c: Buffer) => {
        const copy = Buffer.from(c);
        g.pause();
        out = out
          .then(() => send(copy))
          .then(
            () => void g.resume(),
            (e: Error) => void g.destroy(e),
          );
      });
    }
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK);
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const chunk = buf.subarray(0, n);
      fileHash.update(chunk);
      reply({ id, bytes: n });
      if (gunzip) {
        const g = gunzip;
        if (!g.write(chunk))
          await new Promise<void>((resolve, reject) => {
            const onError = (e: Error) => {
              g.off('drain', onDrain);
              reject(e);
            };
            const onDrain = () => {
              g.off('error', onError);
              resolve();
            };
            g.once('drain', onDrain);
            g.once('error', onError);
          });
      } else await send(chunk);
      if (r.stopped) throw new Error('stopped');
    }
    if (gunzip) {
      gunzip.end();
      await unzipped;
    }
    const { rows, checksum } = content.digest();
    reply({ id, end: { sha256: fileHash.digest('hex'), rows, checksum } });
  } finally {
    fs.closeSync(fd);
  }
}
