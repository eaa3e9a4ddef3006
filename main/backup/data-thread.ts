// The thread that does a set's byte work, for both directions. A backup's `follow`: one table's data file read
// while pg_dump writes it, its content checksum taken, gzipped, the sha256 of what is written, the write and its
// fsync. A restore's `copy`: one data file's sha256, its decompression and the COPY into the new database over the
// lane's own session (or, to a server on this machine, igzip into a named pipe the server's COPY reads), so no
// table data crosses to the console's main thread (it stays free for the views). The
// sha256 of the file stands for its content: what comes out of the same gzip bytes is the same COPY text whose
// checksum the manifest holds. Built as its own bundle (dist/backup/data-thread.mjs) and started by FollowPool and
// CopyPool; the content checksum is ContentHasher's, the same code the console's main thread uses on a live
// database.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parentPort } from 'node:worker_threads';
import zlib from 'node:zlib';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ContentHasher } from './content-hash';
import type {
  CopyConnection,
  CopyResult,
  DataThreadReply,
  DataThreadRequest,
  FollowResult,
  GzipSettings,
  PipeCopy,
} from './data-thread-protocol';

const port = parentPort!;
const reply = (m: DataThreadReply) => port.postMessage(m);
const CHUNK = 1 << 20;

/** A followed file: pg_dump closed it (or exited) once `finished` is set. */
const following = new Map<number, { finished: boolean }>();
/** A table being copied for a restore, stopped by its controller. */
const copying = new Map<number, AbortController>();
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
    case 'copy': {
      const stop = new AbortController();
      copying.set(m.id, stop);
      copy(m, stop.signal)
        .then(
          (end) => reply({ id: m.id, copied: end }),
          (e: unknown) => reply({ id: m.id, error: message(e), session: e instanceof SessionError }),
        )
        .finally(() => copying.delete(m.id));
      return;
    }
    case 'stop':
      copying.get(m.id)?.abort();
      return;
    case 'release':
      void releaseSessions(m.database).then(() => reply({ id: m.id, released: true }));
      return;
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

/** A file's compression: blocks in, in order; `end` once all is written; `stop` ends it whatever happened. */
interface Gzip {
  submit(block: Buffer, complete: boolean): Promise<void>;
  end(): Promise<void>;
  stop(): Promise<void>;
}

/** zlib on libuv's threads, each block its own gzip member (see BLOCK). */
function zlibGzip(settings: GzipSettings, written: (member: Buffer) => void): Gzip {
  const compressing: Array<Promise<Buffer>> = [];
  // The oldest block's member, written in order: the file's sha256 is of the bytes as they lie on disk.
  const writeOldest = async () => written(await compressing.shift()!);
  return {
    async submit(block, complete) {
      const pending = gzipBlock(block, { level: settings.level, windowBits: settings.windowBits });
      pending.catch(() => undefined); // awaited in order by writeOldest
      compressing.push(pending);
      const limit = complete ? IN_FLIGHT_COMPLETE : IN_FLIGHT_WRITING;
      while (compressing.length > limit) await writeOldest();
    },
    async end() {
      while (compressing.length > 0) await writeOldest();
    },
    async stop() {
      await Promise.allSettled(compressing);
    },
  };
}

/**
 * igzip as a child process: the file streams through it, one gzip member, its output written as it comes. A
 * file that grows faster than igzip takes it waits in the pipe (the writes wait for it to drain).
 */
function programGzip(program: string, level: number, written: (member: Buffer) => void): Gzip {
  const child = spawn(program, [`-${Math.min(3, Math.max(0, level))}`, '-c', '-q'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let failed: Error | undefined; // writing its output failed (a full disk): igzip is stopped
  child.stdout.on('data', (member: Buffer) => {
    if (failed) return;
    try {
      written(member);
    } catch (e) {
      failed = e as Error;
      child.kill('SIGKILL');
    }
  });
  child.stdin.on('error', () => undefined); // a child that died is reported by its exit
  const exited = programExit(child, program).then(
    () => {
      if (failed) throw failed;
    },
    (err: unknown) => {
      throw failed ?? err;
    },
  );
  exited.catch(() => undefined); // awaited by submit and end
  return {
    async submit(block) {
      if (!child.stdin.write(block)) await Promise.race([once(child.stdin, 'drain'), exited]);
    },
    async end() {
      child.stdin.end();
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited.catch(() => undefined);
    },
  };
}

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
  const written = (member: Buffer) => {
    const t0 = performance.now();
    fileHash.update(member);
    hashMs += performance.now() - t0;
    size += member.length;
    fs.writeSync(out, member);
  };
  const gzip = settings.program
    ? programGzip(settings.program, settings.level, written)
    : zlibGzip(settings, written);
  try {
    let block = Buffer.allocUnsafe(BLOCK);
    let filled = 0;
    let blocks = 0;
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
          await gzip.submit(block, closed);
          blocks++;
          block = Buffer.allocUnsafe(BLOCK);
          filled = 0;
        }
      } else if (closed) break;
      else await sleep(15);
    }
    // The last, partial block (or the empty one of an empty table: a gzip file is never zero bytes).
    if (filled > 0 || blocks === 0) await gzip.submit(block.subarray(0, filled), true);
    await gzip.end();
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
    await gzip.stop();
    fs.closeSync(fd);
    fs.closeSync(out);
  }
}

/**
 * The lanes' sessions, one per lane of each database being loaded (a thread serves every database of a restore),
 * kept from one table to the next.
 */
const lanes = new Map<string, Promise<pg.Client>>();
const laneKey = (database: string, lane: number) => `${lane}:${database}`;

function laneClient(lane: number, conn: CopyConnection): Promise<pg.Client> {
  const key = laneKey(conn.database, lane);
  let client = lanes.get(key);
  if (!client) {
    const c = new pg.Client({ ...conn, connectionTimeoutMillis: 5_000 });
    c.on('error', () => undefined);
    client = c.connect().then(() => c);
    client.catch(() => lanes.delete(key));
    lanes.set(key, client);
  }
  return client;
}

async function endSession(key: string): Promise<void> {
  const client = lanes.get(key);
  lanes.delete(key);
  await client?.then((c) => c.end()).catch(() => undefined);
}

const releaseLane = (lane: number, database: string) => endSession(laneKey(database, lane));

/** Ends this thread's sessions to `database`, or all of them. */
async function releaseSessions(database?: string): Promise<void> {
  const ending = [...lanes.keys()].filter(
    (k) => database === undefined || k.slice(k.indexOf(':') + 1) === database,
  );
  await Promise.all(ending.map(endSession));
}

/** The lane's session failed (not the file's bytes). */
class SessionError extends Error {}

/**
 * One table's data file into the new database: sha256 of the file, decompression and the COPY, over the lane's
 * session or (`pipe`) through a named pipe the server reads; committed once every byte is in.
 */
async function copy(m: Extract<DataThreadRequest, { type: 'copy' }>, stop: AbortSignal): Promise<CopyResult> {
  let client: pg.Client;
  try {
    client = await laneClient(m.lane, m.conn);
    await client.query(m.begin);
  } catch (err) {
    await releaseLane(m.lane, m.conn.database);
    throw new SessionError(message(err));
  }
  try {
    const copied = m.pipe
      ? await copyThroughPipe(client, m, m.pipe, stop)
      : await copyOverSession(client, m, stop);
    if (stop.aborted) throw new Error('stopped');
    await client.query('COMMIT');
    return copied;
  } catch (err) {
    // The session is mid-transaction or mid-COPY: the lane starts over on a new one.
    await releaseLane(m.lane, m.conn.database);
    throw stop.aborted ? new Error('stopped') : err;
  }
}

/** The file read once: its sha256, its decompression and the COPY … FROM STDIN over the session. */
async function copyOverSession(
  client: pg.Client,
  m: Extract<DataThreadRequest, { type: 'copy' }>,
  stop: AbortSignal,
): Promise<CopyResult> {
  const sink = client.query(copyFrom(m.copy));
  const fileHash = crypto.createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      fileHash.update(chunk);
      reply({ id: m.id, bytes: chunk.length });
      done(null, chunk);
    },
  });
  const source = fs.createReadStream(m.file, { highWaterMark: CHUNK });
  await pipeline(
    m.gz ? [source, hashing, zlib.createGunzip({ chunkSize: 1 << 18 }), sink] : [source, hashing, sink],
    { signal: stop },
  );
  return { sha256: fileHash.digest('hex'), rows: sink.rowCount };
}

/**
 * The server's COPY reads a named pipe that `pipe.program` decompresses the file into, and the file's sha256 comes
 * from a read of its own beside it. Opening the pipe's write end waits until the server has opened its read end,
 * so the decompressor starts with its reader there, and its exit is the end of the data. A COPY that fails before
 * the server opens the pipe (so nothing would ever end that wait) gets a reader of ours instead.
 */
async function copyThroughPipe(
  client: pg.Client,
  m: Extract<DataThreadRequest, { type: 'copy' }>,
  pipe: PipeCopy,
  stop: AbortSignal,
): Promise<CopyResult> {
  fs.rmSync(pipe.path, { force: true }); // left by a console that was killed
  execFileSync('mkfifo', ['-m', '600', pipe.path], { stdio: 'ignore' });
  if (pipe.owner) fs.chownSync(pipe.path, pipe.owner.uid, pipe.owner.gid);
  let child: ChildProcess | undefined;
  let killed = false; // by us: stopped, or its reader is gone (our own read end would keep it writing)
  const kill = () => {
    killed = true;
    child?.kill('SIGKILL');
  };
  stop.addEventListener('abort', kill, { once: true });
  let reader: number | undefined;
  try {
    const copying = client.query(pipe.copy);
    copying.catch(() => {
      kill();
      try {
        reader ??= fs.openSync(pipe.path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      } catch {
        // the pipe is gone: nothing waits on it
      }
    });
    const writer = await fs.promises.open(pipe.path, fs.constants.O_WRONLY);
    let exited: Promise<void> = Promise.resolve();
    try {
      if (!killed) {
        child = spawn(pipe.program, ['-dc', m.file], { stdio: ['ignore', writer.fd, 'pipe'] });
        exited = programExit(child, pipe.program);
        exited.catch(() => undefined); // settled below
      }
    } finally {
      // From here the decompressor holds the only write end: the server reads to its exit.
      await writer.close();
    }
    const hashed = sha256Of(m.file, stop, (n) => reply({ id: m.id, bytes: n }));
    hashed.catch(() => undefined);
    const [copied, program, hash] = await Promise.allSettled([copying, exited, hashed]);
    // A damaged file fails in the decompressor, and the server then sees its data end early; a row the server
    // refuses ends its read, and the decompressor then dies of the closed pipe (SIGPIPE). Each reports its own.
    if (program.status === 'rejected' && !killed && !/SIGPIPE/.test(message(program.reason)))
      throw program.reason;
    if (copied.status === 'rejected') throw copied.reason;
    if (program.status === 'rejected') throw program.reason;
    if (hash.status === 'rejected') throw hash.reason;
    return { sha256: hash.value, rows: copied.value.rowCount ?? 0 };
  } finally {
    stop.removeEventListener('abort', kill);
    if (reader !== undefined) fs.closeSync(reader);
    fs.rmSync(pipe.path, { force: true });
  }
}

/** Settles when the program exits: resolved on exit code 0, else rejected naming the signal or code and its stderr. */
function programExit(child: ChildProcess, program: string): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  return new Promise<void>((resolve, reject) => {
    child.on('error', (e) => reject(new Error(`${program} could not run: ${e.message}`)));
    child.on('close', (code, signal) =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              `${program} failed (${signal ?? `exit code ${code}`})${stderr ? `: ${stderr.trim()}` : ''}`,
            ),
          ),
    );
  });
}

async function sha256Of(file: string, stop: AbortSignal, onBytes: (n: number) => void): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, {
    highWaterMark: CHUNK,
    signal: stop,
  }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    onBytes(chunk.length);
  }
  return hash.digest('hex');
}
