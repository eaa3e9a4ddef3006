// The backup of one database as one pass over its bytes: pg_dump writes each table's COPY text into the set, and
// the console follows every data file while it is being written, so the content checksum, the compression, the
// file's sha256 and its fsync happen as the bytes land, not after the dump. The databases of a set are dumped side
// by side (the Temporal DB's are small and sit on their own cluster).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpsError } from '../api';
import type { BackupKind, DatabaseBackup } from '../api';
import type { PostgresEndpoint } from '../stack';
import { MIGRATIONS_TABLE } from '../db';
import { archiveKind, dumpGzip, readArchive, readToc, type HashedFile } from './dump';
import { appMigrations, liveTables, serverVersion, temporalSchemaVersion, withClient } from './database';
import type { PgTools } from '../stack';
import { FollowPool, type FollowedFile } from './follow-worker';
import type { GzipSettings } from './data-thread-protocol';

/** Where a backup's time went, summed over its databases (ms; hash and checksum are main-thread CPU time). */
export interface BackupProfile {
  dumpMs: number;
  hashMs: number;
  checksumMs: number;
  compressTailMs: number;
  fsyncMs: number;
  tocMs: number;
  manifestMs: number;
  bytesIn: number;
  bytesOut: number;
}

const emptyProfile = (): BackupProfile => ({
  dumpMs: 0,
  hashMs: 0,
  checksumMs: 0,
  compressTailMs: 0,
  fsyncMs: 0,
  tocMs: 0,
  manifestMs: 0,
  bytesIn: 0,
  bytesOut: 0,
});

/** The profile of the last backup this process made (the benchmark prints it). */
export const backupProfile: { last: BackupProfile } = { last: emptyProfile() };

export function startProfile(): BackupProfile {
  backupProfile.last = emptyProfile();
  return backupProfile.last;
}

export interface DumpTarget {
  kind: BackupKind;
  database: string;
  endpoint: PostgresEndpoint;
}

export interface DumpProgress {
  step(text: string, database: string): void;
  addTables(n: number): void;
  tableDone(): void;
  bytes(n: number): void;
}

const LABEL: Record<BackupKind, string> = { app: 'app DB', temporal: 'Temporal DB' };
const FINISHED_DATA = /finished item (\d+) TABLE DATA/;
const DATA_FILE = /^(\d+)\.dat$/;

const cancelled = () => new OpsError('CONFLICT', 'Cancelled by the operator.', 'Start it again when ready.');

/**
 * One table's data file as pg_dump writes it, followed in a thread of the pool: content checksum on the COPY text,
 * gzip, sha256 of what is written, fsync; then <id>.dat.gz takes its place (pg_restore reads it where the table of
 * contents names <id>.dat).
 */
async function compressFollowing(
  pool: FollowPool,
  gzip: GzipSettings,
  dir: string,
  archive: string,
  name: string,
  started: (f: FollowedFile) => void,
  signal: AbortSignal,
  profile: BackupProfile,
  onBytes: (n: number) => void,
): Promise<HashedFile> {
  const src = path.join(dir, name);
  const dest = `${src}.gz`;
  const followed = pool.follow(src, `${dest}.tmp`, gzip, (n) => {
    profile.bytesIn += n;
    onBytes(n);
  });
  started(followed);
  let r;
  try {
    r = await followed.done;
  } catch (err) {
    if (signal.aborted) throw cancelled();
    throw err;
  }
  profile.hashMs += r.hashMs;
  profile.checksumMs += r.checksumMs;
  profile.fsyncMs += r.fsyncMs;
  profile.bytesOut += r.size;
  await fs.promises.rename(`${dest}.tmp`, dest);
  await fs.promises.rm(src);
  return {
    file: { path: `${archive}/${name}.gz`, size: r.size, sha256: r.sha256 },
    dumpId: Number(DATA_FILE.exec(name)![1]),
    content: { rows: r.rows, checksum: r.checksum },
  };
}

/**
 * pg_dump -Fd into `dir` with every data file followed while it is written (see compressFollowing). Returns the
 * data files, keyed by their final name (<id>.dat.gz).
 */
export async function dumpFollowing(o: {
  tools: PgTools;
  database: string;
  dir: string;
  archive: string;
  jobs: number;
  signal: AbortSignal;
  pool: FollowPool;
  profile: BackupProfile;
  onTableDone: () => void;
  onBytes: (n: number) => void;
  /** pg_dump has exited: nothing more is read from the database (the files may still be compressing). */
  onExited?: () => void;
  /** How the data files are gzipped; dumpGzip() unless told. */
  gzip?: GzipSettings;
}): Promise<Map<string, Promise<HashedFile>>> {
  const stop = new AbortController();
  const signal = AbortSignal.any([o.signal, stop.signal]);
  const files = new Map<string, Promise<HashedFile>>();
  const complete = new Set<number>();
  const following = new Map<number, FollowedFile>();
  const gzip = o.gzip ?? dumpGzip();
  let exited = false;
  const take = (name: string) => {
    if (files.has(`${name}.gz`)) return;
    const id = Number(DATA_FILE.exec(name)![1]);
    const done = compressFollowing(
      o.pool,
      gzip,
      o.dir,
      o.archive,
      name,
      (f) => {
        following.set(id, f);
        if (exited || complete.has(id)) f.finished();
      },
      signal,
      o.profile,
      o.onBytes,
    );
    done.catch(() => stop.abort()); // awaited (and reported) with the rest
    files.set(`${name}.gz`, done);
  };
  const scan = () => {
    let names: string[] = [];
    try {
      names = fs.readdirSync(o.dir);
    } catch {
      return; // not created yet
    }
    for (const n of names) if (DATA_FILE.test(n)) take(n);
  };
  fs.mkdirSync(o.dir, { mode: 0o700 });
  const watcher = setInterval(scan, 20);
  const t0 = performance.now();
  try {
    // --no-sync: the console syncs what it keeps (the raw data files are replaced as they are read).
    await o.tools.dump(o.database, o.dir, ['-Fd', '-Z0', '--no-sync', '-j', String(o.jobs), '-v'], {
      signal: o.signal,
      onStderrLine: (line) => {
        if (/dumping contents of table/.test(line)) o.onTableDone();
        const f = FINISHED_DATA.exec(line);
        if (f) {
          complete.add(Number(f[1]));
          following.get(Number(f[1]))?.finished();
        }
      },
    });
  } catch (err) {
    stop.abort();
    o.pool.abort();
    await Promise.allSettled(files.values());
    throw err;
  } finally {
    exited = true;
    for (const f of following.values()) f.finished();
    clearInterval(watcher);
    o.profile.dumpMs += performance.now() - t0;
    o.onExited?.();
  }
  // Anything not seen while pg_dump ran (a dump copied out of a container arrives at the end).
  scan();
  const tail = performance.now();
  try {
    await Promise.all(files.values());
  } catch (err) {
    await Promise.allSettled(files.values());
    throw err;
  }
  o.profile.compressTailMs += performance.now() - tail;
  return files;
}

/** One database of the set: dumped, every file hashed once, and described for the manifest. */
export async function dumpTarget(
  t: DumpTarget,
  o: {
    tools: PgTools;
    partial: string;
    jobs: number;
    signal: AbortSignal;
    pool: FollowPool;
    progress: DumpProgress;
    onExited?: () => void;
  },
  profile: BackupProfile,
): Promise<DatabaseBackup> {
  const info = await withClient(t.endpoint, t.database, async (c) => ({
    server: await serverVersion(c),
    migrations: t.kind === 'app' ? await appMigrations(c, MIGRATIONS_TABLE) : undefined,
    schema: t.kind === 'temporal' ? await temporalSchemaVersion(c, t.database) : undefined,
    tables: (await liveTables(c)).length,
  }));
  const archive = t.database;
  const dir = path.join(o.partial, archive);
  o.progress.addTables(info.tables);
  o.progress.step(`Dumping ${t.database}`, t.database);
  const startedAt = new Date().toISOString();
  let tablesReported = 0;
  const early = await dumpFollowing({
    tools: o.tools,
    database: t.database,
    dir,
    archive,
    jobs: o.jobs,
    signal: o.signal,
    pool: o.pool,
    profile,
    onTableDone: () => {
      tablesReported++;
      o.progress.tableDone();
    },
    onBytes: (n) => o.progress.bytes(n),
    onExited: o.onExited,
  });
  const finishedAt = new Date().toISOString();
  for (; tablesReported < info.tables; tablesReported++) o.progress.tableDone();
  o.progress.step(`Hashing ${t.database}`, t.database);
  const t0 = performance.now();
  const [read, toc] = await Promise.all([
    readArchive(o.partial, archive, { signal: o.signal }, early),
    readToc(o.tools, dir),
  ]);
  profile.tocMs += performance.now() - t0;
  const kind = archiveKind(toc);
  if (kind !== t.kind)
    throw new OpsError(
      'INTERNAL',
      `The dump of ${t.database} does not look like the ${LABEL[t.kind]} (found: ${kind}).`,
      'Check that the stack settings point at the right databases.',
    );
  const tables = toc
    .filter((e) => e.type === 'TABLE DATA')
    .map((e) => {
      const c = read.tables.get(e.dumpId);
      if (!c)
        throw new OpsError('INTERNAL', `pg_dump wrote no data file for ${e.schema}.${e.name}.`, 'Try again.');
      return { schema: e.schema, name: e.name, dumpId: e.dumpId, rows: c.rows, checksum: c.checksum };
    });
  return {
    kind: t.kind,
    database: t.database,
    archive,
    serverVersion: info.server.version,
    serverMajor: info.server.major,
    appMigrations: info.migrations,
    appMigrationVersion: info.migrations?.at(-1),
    temporalSchemaVersion: info.schema,
    startedAt,
    finishedAt,
    bytes: read.bytes,
    tables,
    files: read.files,
  };
}

/**
 * Every database of the set side by side, in the order given. The first failure stops the others (their files go
 * with the partial set).
 */
export async function dumpTargets(
  targets: DumpTarget[],
  o: {
    tools: (kind: BackupKind) => Promise<PgTools>;
    partial: string;
    jobs: number;
    signal: AbortSignal;
    progress: DumpProgress;
    /** Every database's pg_dump has exited: the set's data is read (what remains is the console's own work). */
    onDumped?: () => void;
  },
): Promise<DatabaseBackup[]> {
  const profile = startProfile();
  let exited = 0;
  const onExited = () => {
    if (++exited === targets.length) o.onDumped?.();
  };
  const stop = new AbortController();
  const signal = AbortSignal.any([o.signal, stop.signal]);
  let first: { err: unknown } | undefined;
  // The hashing threads: one per core.
  const pool = new FollowPool(os.availableParallelism());
  const work = targets.map(async (t) => {
    try {
      return await dumpTarget(t, { ...o, tools: await o.tools(t.kind), signal, pool, onExited }, profile);
    } catch (err) {
      first ??= { err };
      stop.abort();
      throw err;
    }
  });
  const settled = await Promise.allSettled(work).finally(() => pool.close());
  if (first) throw o.signal.aborted ? cancelled() : first.err;
  return settled.map((s) => (s as PromiseFulfilledResult<DatabaseBackup>).value);
}
