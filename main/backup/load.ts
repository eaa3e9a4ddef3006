// Loads one directory-format archive into a new, empty database. pg_restore lays down the schema and, at the end,
// the indexes and constraints; the table data goes one stream per file: the file's sha256, its decompression and
// the COPY into the server in a single read (a big file on a server on this machine: igzip into a named pipe the
// server reads, the sha256 from a read of its own), then the server's row count. Every byte that
// reaches the new database has been checked against the manifest by the time the data is in, without a read of
// the set beforehand or a read of the database afterwards.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setMaxListeners } from 'node:events';
import type { DatabaseBackup, TableChecksum } from '../api';
import { OpsError } from '../api';
import { dataFileName, parseToc, type TocEntry } from './dump';
import { liveTables, quoteIdent, quoteLiteral, withClient, type Endpoint } from './database';
import { optionalProgram, type PgTools, type ServerPipes } from '../stack';
import { CopyPool, type CopyConnection } from './restore-pipeline';

/** Index builds sort in memory instead of spilling to disk (pg_restore's sessions otherwise get the 64 MB default). */
const POST_DATA_SESSION = '-c maintenance_work_mem=256MB';

export interface LoadOptions {
  tools: PgTools;
  endpoint: Endpoint;
  /** The new database: created empty (template0) by the caller, dropped by the caller on failure. */
  database: string;
  /** The archive folder. */
  dir: string;
  db: DatabaseBackup;
  /** The archive's `pg_restore -l` text, read once by the caller. */
  toc: string;
  signal?: AbortSignal;
  /** Table data files loaded side by side. */
  lanes?: number;
  /** Data threads shared with the other loads of the same restore (ended by its owner); else the load's own. */
  pool?: CopyPool;
  /** A table whose data file is at least this big gets its own indexes built as soon as its data is in. */
  earlyMinBytes?: number;
  /** A table whose data file is at least this big goes through a named pipe, when the server can take one. */
  pipeMinBytes?: number;
  onBytes?: (n: number) => void;
  onTableDone?: (table: string) => void;
}

const invalid = (message: string) =>
  new OpsError('BACKUP_INVALID', message, 'Nothing was swapped. Verify the set with a trial restore.');

const cancelled = () =>
  new OpsError('CONFLICT', 'Cancelled by the operator; nothing was swapped.', 'Start again when ready.');

/**
 * Before anything is loaded: the archive holds exactly the manifest's files at the manifest's sizes (a truncated
 * or extra file is refused here, without reading the data), and its small files match their sha256.
 */
export function checkArchiveFiles(setDir: string, db: DatabaseBackup): string[] {
  const dir = path.join(setDir, db.archive);
  if (!fs.existsSync(dir)) return [`The archive of ${db.database} is missing (${dir}).`];
  const problems: string[] = [];
  const onDisk = new Set(fs.readdirSync(dir).map((n) => `${db.archive}/${n}`));
  for (const f of db.files) {
    if (!onDisk.delete(f.path)) {
      problems.push(`${f.path} is missing.`);
      continue;
    }
    const size = fs.statSync(path.join(setDir, f.path)).size;
    if (size !== f.size)
      problems.push(`${f.path} is ${size} bytes, the manifest says ${f.size} (truncated or replaced).`);
    else if (!/\.dat(\.gz)?$/.test(f.path) && sha256(path.join(setDir, f.path)) !== f.sha256)
      problems.push(`${f.path} does not match its sha256 (corrupted or replaced).`);
  }
  for (const extra of onDisk) problems.push(`${extra} is not part of the set.`);
  return problems;
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The archive's table data entries, each matched with its manifest entry (a mismatch either way is refused). */
function dataEntries(toc: TocEntry[], db: DatabaseBackup): Array<{ entry: TocEntry; table: TableChecksum }> {
  const byId = new Map(db.tables.map((t) => [t.dumpId, t]));
  const out = toc
    .filter((e) => e.type === 'TABLE DATA')
    .map((entry) => {
      const table = byId.get(entry.dumpId);
      if (!table || table.schema !== entry.schema || table.name !== entry.name)
        throw invalid(
          `The archive of ${db.database} holds data for ${entry.schema}.${entry.name} that its manifest does not describe.`,
        );
      byId.delete(entry.dumpId);
      return { entry, table };
    });
  const left = [...byId.values()];
  if (left.length)
    throw invalid(
      `The manifest of ${db.database} lists ${left.map((t) => `${t.schema}.${t.name}`).join(', ')}, which its archive does not hold.`,
    );
  return out;
}

/**
 * Schema and table data, every table checked: returns once the data is in and matches the manifest. What remains
 * (indexes, constraints, sequence values) is `finishLoad`.
 */
export async function loadSchemaAndData(o: LoadOptions): Promise<Loaded> {
  const run = { signal: o.signal };
  const toc = parseToc(o.toc);
  const entries = dataEntries(toc, o.db);
  const ownPostData = singleTablePostData(toc);
  await o.tools.restore(o.database, o.dir, ['--section=pre-data', '--no-owner', '--exit-on-error'], run, {
    tocOnly: true,
  });
  const [columns, pipes] = await Promise.all([
    withClient(o.endpoint, o.database, liveTables),
    serverPipes(o),
  ]);
  const byName = new Map(columns.map((t) => [`${t.schema}.${t.name}`, t.columns]));
  // Largest first, so the lanes finish together.
  const queue = entries
    .map((e) => {
      const name = dataFileName(o.dir, e.entry.dumpId);
      if (!name) throw invalid(`The data file of ${e.table.schema}.${e.table.name} is missing.`);
      return { ...e, name, size: fs.statSync(path.join(o.dir, name)).size };
    })
    .sort((a, b) => b.size - a.size);
  const failed = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, failed.signal]) : failed.signal;
  setMaxListeners(0, signal);
  // Each lane is a session held by a data thread: the files' hashing, decompression and COPY all run there.
  const lanes = Math.min(os.availableParallelism(), Math.max(1, o.lanes ?? 2));
  const conn = { ...o.endpoint, database: o.database };
  const pool = o.pool ?? new CopyPool(lanes);
  // A big table's own indexes and constraints build as soon as its data is in, one table at a time, while the
  // lanes load the rest (as pg_restore -j schedules them); the first failure in time is the one reported.
  const built = new Set<number>();
  const piped = new Set<number>();
  let building = Promise.resolve();
  let buildFailure: { err: unknown } | undefined;
  const buildOwn = (ids: number[]) => {
    building = building.then(async () => {
      if (signal.aborted) return;
      try {
        await postData(o, tocLines(o.toc, new Set(ids)), { signal, jobs: 1 });
        for (const id of ids) built.add(id);
      } catch (err) {
        if (!signal.aborted) buildFailure = { err };
        failed.abort();
      }
    });
  };
  const lane = async (n: number) => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const cols = byName.get(`${next.table.schema}.${next.table.name}`);
      if (!cols)
        throw invalid(`${next.table.schema}.${next.table.name} was not created by the archive's schema.`);
      const pipe =
        pipes && next.name.endsWith('.gz') && next.size >= (o.pipeMinBytes ?? PIPE_MIN_BYTES)
          ? pipes
          : undefined;
      if (pipe) piped.add(next.entry.dumpId);
      await loadTable(pool, n, conn, o, next.table, path.join(o.dir, next.name), cols, signal, pipe);
      const own = ownPostData.get(next.entry.dumpId);
      if (own && next.size >= (o.earlyMinBytes ?? EARLY_MIN_BYTES)) buildOwn(own);
      o.onTableDone?.(`${next.table.schema}.${next.table.name}`);
    }
  };
  try {
    await settleAll(
      Array.from({ length: lanes }, (_, n) => lane(n)),
      failed,
    );
  } catch (err) {
    await building;
    throw buildFailure ? buildFailure.err : err;
  } finally {
    // The new database's sessions end before anything renames or drops it.
    await (o.pool ? pool.release(o.database) : pool.close());
  }
  // The last tables' own builds go on while the caller moves on (the Temporal DB's swap, in a restore).
  const ownBuilt = building.then(() => {
    if (buildFailure) throw buildFailure.err;
  });
  ownBuilt.catch(() => undefined); // awaited by finishLoad
  const data = new Set(toc.filter((e) => e.type === 'TABLE DATA').map((e) => e.dumpId));
  return { data, built, ownBuilt, piped };
}

/** What `loadSchemaAndData` leaves for `finishLoad`. */
export interface Loaded {
  /** The dump ids of the archive's table data entries (all loaded). */
  data: ReadonlySet<number>;
  /** The dump ids of the indexes and constraints built as the data came in (a big table's own). */
  built: ReadonlySet<number>;
  /** Settles when the last of those builds is done; rejects with the first that failed. */
  ownBuilt: Promise<void>;
  /** The dump ids of the table data the server read through a named pipe (the rest came over a session). */
  piped: ReadonlySet<number>;
}

/**
 * A table whose data file is at least this big has its own indexes and constraints built as soon as its data is
 * in; a small table's wait for `finishLoad`, where one pg_restore builds them all (a pg_restore each would cost
 * more than the build).
 */
const EARLY_MIN_BYTES = 16 << 20;

/**
 * The indexes and constraints (primary key, unique, check) that need nothing but one table's data, by that
 * table's TABLE DATA entry. Anything that depends on more (a foreign key, an index on a function) waits for
 * `finishLoad`. Read from the archive's own dependencies, as pg_restore -j does.
 */
export function singleTablePostData(toc: TocEntry[]): Map<number, number[]> {
  const byId = new Map(toc.map((e) => [e.dumpId, e]));
  const dataOf = new Map<number, number>();
  for (const e of toc)
    if (e.type === 'TABLE DATA')
      for (const d of e.deps) if (byId.get(d)?.type === 'TABLE') dataOf.set(d, e.dumpId);
  const own = new Map<number, number[]>();
  for (const e of toc) {
    if (e.type !== 'INDEX' && e.type !== 'CONSTRAINT') continue;
    const tables = e.deps.filter((d) => byId.get(d)?.type === 'TABLE');
    const other = e.deps.filter((d) => byId.get(d)?.type !== 'TABLE' && byId.get(d)?.type !== 'SCHEMA');
    const data = tables.length === 1 ? dataOf.get(tables[0]!) : undefined;
    if (data === undefined || other.length) continue;
    own.set(data, [...(own.get(data) ?? []), e.dumpId]);
  }
  return own;
}

/** The lines of a `pg_restore -l` list whose entries are (or are not, with `keep` false) in `ids`. */
function tocLines(toc: string, ids: ReadonlySet<number>, keep = true): string {
  return toc
    .split('\n')
    .filter((line) => {
      const id = /^(\d+);/.exec(line)?.[1];
      return id === undefined ? !keep : ids.has(Number(id)) === keep;
    })
    .join('\n');
}

/** Restores the listed entries of the archive's data and post-data sections (schema and table data are in). */
function postData(o: LoadOptions, list: string, run: { signal?: AbortSignal; jobs: number }): Promise<void> {
  return o.tools.restore(
    o.database,
    o.dir,
    ['--section=data', '--section=post-data', '-j', String(run.jobs), '--no-owner', '--exit-on-error'],
    { signal: run.signal, env: { PGOPTIONS: POST_DATA_SESSION } },
    { tocOnly: true, list },
  );
}

/**
 * A table whose data file is at least this big goes to a server on this machine through a named pipe; a smaller
 * one goes over the session (the pipe's set-up would cost more than it saves).
 */
const PIPE_MIN_BYTES = 1 << 20;

/** Where the server can open a pipe of ours, and the decompressor that writes into it. */
type Pipes = ServerPipes & { program: string };

/**
 * How this load can hand table data to the server through named pipes: the server runs on this machine, igzip is
 * here to decompress into them, and the session may have the server read files (a superuser, or a member of
 * pg_read_server_files). Otherwise undefined, and every table goes over the session.
 */
async function serverPipes(o: LoadOptions): Promise<Pipes | undefined> {
  const at = o.tools.serverPipes;
  const program = at && optionalProgram('igzip');
  if (!at || !program || !optionalProgram('mkfifo')) return undefined;
  const allowed = await withClient(o.endpoint, o.database, async (c) => {
    const { rows } = await c.query<{ ok: boolean }>(
      `SELECT rolsuper OR pg_has_role(current_user, 'pg_read_server_files', 'MEMBER') AS ok
         FROM pg_roles WHERE rolname = current_user`,
    );
    return rows[0]?.ok === true;
  });
  return allowed ? { ...at, program } : undefined;
}

/** The server's COPY of one table from the pipe at `at`. */
function pipeCopy(pipes: Pipes, at: string, target: string, columnList: string) {
  return {
    path: at,
    owner: pipes.owner,
    program: pipes.program,
    copy: `COPY ${target} (${columnList}) FROM ${quoteLiteral(at)} WITH (FREEZE)`,
  };
}

async function loadTable(
  pool: CopyPool,
  lane: number,
  conn: CopyConnection,
  o: LoadOptions,
  table: TableChecksum,
  file: string,
  columns: string[],
  signal: AbortSignal,
  pipes?: Pipes,
): Promise<void> {
  const label = `${table.schema}.${table.name}`;
  const relative = `${o.db.archive}/${path.basename(file)}`;
  const expected = o.db.files.find((f) => f.path === relative);
  if (!expected) throw invalid(`${relative} is not part of the set.`);
  const target = `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
  const columnList = columns.map(quoteIdent).join(', ');
  let copied;
  try {
    copied = await pool.copy(
      lane,
      {
        conn,
        file,
        gz: file.endsWith('.gz'),
        // As pg_restore does in parallel mode: the empty table truncated in the COPY's own transaction, so the
        // rows go in the archive's order (no free-space map) and, with FREEZE, already frozen (no hint-bit writes
        // afterwards).
        begin: `BEGIN; TRUNCATE ONLY ${target}`,
        copy: `COPY ${target} (${columnList}) FROM STDIN WITH (FREEZE)`,
        pipe:
          pipes &&
          pipeCopy(pipes, path.join(pipes.dir, `${o.database}.${table.dumpId}.pipe`), target, columnList),
      },
      (n) => o.onBytes?.(n),
      signal,
    );
  } catch (err) {
    if (o.signal?.aborted) throw cancelled();
    if (signal.aborted) throw err; // another lane failed first: its error is the one reported (settleAll)
    const e = err as Error & { session?: boolean };
    if (e.session) throw new Error(`loading ${label} into ${o.database}: ${e.message}`);
    // A damaged file fails in the decompression or in the server's parsing of what came out of it.
    throw invalid(`${relative} (${label}) could not be loaded into ${o.database}: ${e.message}.`);
  }
  // The file is the one the backup wrote, so what came out of it is the COPY text whose checksum the manifest
  // holds; the server's own count of the rows it took must be the manifest's.
  if (copied.sha256 !== expected.sha256)
    throw invalid(
      `${relative} does not match its sha256 (corrupted or replaced); ${o.database} differs from the backup.`,
    );
  if (copied.rows !== table.rows)
    throw invalid(
      `${label} restored into ${o.database} differs from the backup (${copied.rows} rows loaded, the manifest says ${table.rows}).`,
    );
}

/** Sequence values, indexes, constraints and triggers, in parallel jobs, after the data is in. */
export async function finishLoad(o: LoadOptions, loaded: Loaded): Promise<void> {
  await loaded.ownBuilt;
  // Everything except the table data, which is already loaded, and what was built as it came in.
  await postData(o, tocLines(o.toc, new Set([...loaded.data, ...loaded.built]), false), {
    signal: o.signal,
    jobs: 2,
  });
}

/** Work side by side: the first failure in time aborts `phase` (so the others stop) and is the one thrown. */
export async function settleAll<T>(work: Array<Promise<T>>, phase: AbortController): Promise<T[]> {
  let first: { err: unknown } | undefined;
  const outcomes = await Promise.allSettled(
    work.map((p) =>
      p.catch((err: unknown) => {
        first ??= { err };
        phase.abort();
        throw err;
      }),
    ),
  );
  if (first) throw first.err;
  return outcomes.map((o) => (o as PromiseFulfilledResult<T>).value);
}
