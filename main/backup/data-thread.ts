// The thread that does a set's byte work, for both directions. A backup's `follow`: one table's data file read
// while pg_dump writes it, its content checksum taken, gzipped, the sha256 of what is written, the write and its
// fsync. A restore's `read`: one data file's sha256 and its decompression, the bytes handed back to the COPY on the
// console's main thread (the sha256 of the file stands for its content: what comes out of the same gzip bytes is the
// same COPY text whose checksum the manifest holds). Built as its own bundle (dist/backup/
// data-thread.mjs) and started by FollowPool and ReadPool; the content checksum is ContentHasher's, the same code
// the console's main thread uses on a live database.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { promisify } from 'node:util';
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

/**
 * A followed file is compressed in blocks of this size, each its own gzip member, several at once on libuv's
 * threads: one table's compression is not bound to one core, so the last big table does not leave the other core
 * idle once pg_dump has exited. Concatenated members are one gzip file to every reader (gzread, which pg_restore
 * uses, and Node's gunzip); with a 4 KiB window the restart every 4 MiB costs nothing measurable in size.
 */
const BLOCK = 4 << 20;
/**
 * Blocks of one file compressing at once. While pg_dump still writes the file, one: its processes need the cores
 * too. Once the file is complete, what is left of it is backlog, and three go at once (libuv's four threads are
 * shared by the pool).
 */
const IN_FLIGHT_WRITING = 1;
const IN_FLIGHT_COMPLETE = 3;
const gzipBlock = promisify(zlib.gzip);

async function follow(
  id: number,
  src: string,
  tmp: string,
  settings: GzipSettings,
  f: { finished: boolean },
) {
  const content = await ContentHasher.create(true);
  const fileHash = crypto.createHash('sha256');
  let size = 0;
  let hashMs = 0;
  let checksumMs = 0;
  const fd = fs.openSync(src, 'r');
  const out = fs.openSync(tmp, 'w', 0o600);
  const compressing: Array<Promise<Buffer>> = [];
  // The oldest block's member, written in order: the file's sha256 is of the bytes as they lie on disk.
  const writeOldest = async () => {
    const member = await compressing.shift()!;
    const t0 = performance.now();
    fileHash.update(member);
    hashMs += performance.now() - t0;
    size += member.length;
    fs.writeSync(out, member);
  };
  const submit = async (block: Buffer, complete: boolean) => {
    const pending = gzipBlock(block, settings);
    pending.catch(() => undefined); // awaited in order by writeOldest
    compressing.push(pending);
    const limit = complete ? IN_FLIGHT_COMPLETE : IN_FLIGHT_WRITING;
    while (compressing.length > limit) await writeOldest();
  };
  try {
    let block = Buffer.allocUnsafe(BLOCK);
    let filled = 0;
    let members = 0;
    for (;;) {
      await tick();
      if (aborted) throw new Error('cancelled');
      const closed = f.finished; // read before the read: what was written before the close is all read
      const n = fs.readSync(fd, block, filled, BLOCK - filled, null);
      if (n > 0) {
        const t0 = performance.now();
        content.update(block.subarray(filled, filled + n));
        checksumMs += performance.now() - t0;
        filled += n;
        reply({ id, bytes: n });
        if (filled === BLOCK) {
          await submit(block, closed);
          members++;
          block = Buffer.allocUnsafe(BLOCK);
          filled = 0;
        }
      } else if (closed) break;
      else await sleep(15);
    }
    // The last, partial block (or the one empty member of an empty table: a gzip file is never zero bytes).
    if (filled > 0 || members === 0) await submit(block.subarray(0, filled), true);
    while (compressing.length > 0) await writeOldest();
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
    await Promise.allSettled(compressing);
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
  const waitCredit = async () => {
    while (r.credit <= 0 && !r.stopped) await new Promise<void>((w) => (r.wake = w));
    if (r.stopped) throw new Error('stopped');
  };
  const send = async (c: Buffer) => {
    await waitCredit();
    r.credit--;
    // Handed over, not copied: `c` owns its memory (a fresh read buffer, or the copy taken off gunzip's output).
    port.postMessage({ id, chunk: c } satisfies DataThreadReply, [c.buffer as ArrayBuffer]);
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
        const copy = Buffer.allocUnsafeSlow(c.length); // its own memory, never the shared pool's: it is handed over
        c.copy(copy);
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
      const buf = Buffer.allocUnsafeSlow(CHUNK);
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
    reply({ id, end: { sha256: fileHash.digest('hex') } });
  } finally {
    fs.closeSync(fd);
  }
}
