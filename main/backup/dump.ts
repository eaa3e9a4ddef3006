// The directory-format archive of one database: pg_dump into it, pg_restore from it, and one full read that
// yields every file's sha256 and every table's content checksum together.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { OpsError } from '../api';
import type { BackupFile, BackupKind } from '../api';
import { ContentHasher, type ContentAlgorithm } from './content-hash';
import { optionalProgram, type PgTools } from '../stack';
import type { GzipSettings } from './data-thread-protocol';

/**
 * The table data's gzip: level 1 (what `pg_dump -Z1` does). Any gzip reader takes what it writes (pg_restore
 * included). pg_dump writes the table data uncompressed and the console compresses each file as it is written
 * (see dump-pipeline.ts), with ISA-L's igzip when the machine has it (Debian's `isal` package). On 206 MB of COPY
 * text like the backup bench's, its level 1 took 0.52 s against 2.47 s for zlib's and 3.2 s for gzip -1, for 0.40
 * of the text against 0.41 and 0.45; on the bench's own tables a set came out 2 % larger than with zlib's 4 KiB
 * window, still 5 % smaller than `pg_dump -Fc`. So the checksums the console adds cost less than the compression
 * it saves. Without igzip, zlib at level 1 with a 4 KiB window: about a fifth cheaper than its default 32 KiB
 * window, the window only bounding how far back a match may point.
 */
export function dumpGzip(): GzipSettings {
  return { level: 1, windowBits: 12, program: optionalProgram('igzip') };
}

export interface TocEntry {
  dumpId: number;
  type: string;
  schema: string;
  name: string;
  /** The dump ids of the entries this one depends on (from `pg_restore -l -v`; empty from a plain list). */
  deps: number[];
}

/** The archive's table of contents as pg_restore reads it. */
export async function readToc(tools: PgTools, dir: string): Promise<TocEntry[]> {
  return parseToc(await readTocText(tools, dir));
}

/** `pg_restore -l` of the archive: what a partial restore lists with -L, and parseToc reads. */
export async function readTocText(tools: PgTools, dir: string): Promise<string> {
  try {
    return await tools.toc(dir);
  } catch (err) {
    throw new OpsError(
      'BACKUP_INVALID',
      `${path.basename(dir)} is not a readable pg_dump archive: ${(err as Error).message}`,
      'The file is damaged or is not a backup made by this console; choose another set.',
    );
  }
}

/** The entries of `pg_restore -l` output (with their dependencies when listed with -v). */
export function parseToc(text: string): TocEntry[] {
  const entries: TocEntry[] = [];
  let last: TocEntry | undefined;
  for (const line of text.split('\n')) {
    // "3340; 0 16384 TABLE DATA public reports ops", then with -v ";\tdepends on: 215 3338"
    const m =
      /^(\d+); \d+ \d+ (TABLE DATA|TABLE|SEQUENCE SET|INDEX|CONSTRAINT|FK CONSTRAINT|SCHEMA) (\S+) (\S+)/.exec(
        line,
      );
    const deps = /^;\s*depends on:([\d ]*)$/.exec(line);
    if (m) {
      last = { dumpId: Number(m[1]), type: m[2]!, schema: m[3]!, name: m[4]!, deps: [] };
      entries.push(last);
    } else if (deps && last) last.deps.push(...deps[1]!.trim().split(/\s+/).filter(Boolean).map(Number));
    else if (/^\d+;/.test(line)) last = undefined; // an entry of a type not read here
  }
  return entries;
}

/** What an archive holds, judged from its tables (never from the manifest alone). */
export function archiveKind(entries: TocEntry[]): BackupKind | 'foreign' {
  const tables = new Set(entries.filter((e) => e.type === 'TABLE').map((e) => `${e.schema}.${e.name}`));
  if (tables.has('public.ops_schema_migrations') && tables.has('public.test_cycles')) return 'app';
  if (
    tables.has('public.schema_version') &&
    (tables.has('public.executions') || tables.has('public.executions_visibility'))
  )
    return 'temporal';
  return 'foreign';
}

export interface ArchiveRead {
  files: BackupFile[];
  /** Keyed by dump id. */
  tables: Map<number, { rows: number; checksum: string }>;
  bytes: number;
}

export interface HashedFile {
  file: BackupFile;
  dumpId?: number;
  content?: { rows: number; checksum: string };
}

export interface ReadOptions {
  /** Also decompress table data and compute content checksums (a truncated gzip stream fails here). */
  content?: boolean;
  /** The set's content checksum algorithm (this console's for a new set). */
  algorithm?: ContentAlgorithm;
  onBytes?: (n: number) => void;
  signal?: AbortSignal;
}

export function dataFileName(dir: string, dumpId: number): string | undefined {
  return [`${dumpId}.dat.gz`, `${dumpId}.dat`].find((n) => fs.existsSync(path.join(dir, n)));
}

/** One read of one archive file: its sha256 and, for table data, the content checksum. */
export async function hashArchiveFile(
  setDir: string,
  archive: string,
  name: string,
  o: ReadOptions = {},
): Promise<HashedFile> {
  const file = path.join(setDir, archive, name);
  const fileHash = crypto.createHash('sha256');
  const data = /^(\d+)\.dat(\.gz)?$/.exec(name);
  const content = data && o.content !== false ? await ContentHasher.create(true, o.algorithm) : undefined;
  let size = 0;
  const source = fs.createReadStream(file, { highWaterMark: 1 << 20, signal: o.signal });
  source.on('data', (c) => {
    const chunk = c as Buffer;
    fileHash.update(chunk);
    size += chunk.length;
    o.onBytes?.(chunk.length);
  });
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      content?.update(chunk);
      done();
    },
  });
  try {
    if (content && data?.[2]) await pipeline(source, zlib.createGunzip({ chunkSize: 1 << 18 }), sink);
    else await pipeline(source, sink);
  } catch (err) {
    if (o.signal?.aborted)
      throw new OpsError('CONFLICT', 'Cancelled by the operator.', 'Start it again when ready.');
    throw new OpsError(
      'BACKUP_INVALID',
      `${archive}/${name} is damaged: ${(err as Error).message}.`,
      'This set cannot be restored; use another set, and check the disk it is stored on.',
    );
  }
  return {
    file: { path: `${archive}/${name}`, size, sha256: fileHash.digest('hex') },
    dumpId: data ? Number(data[1]) : undefined,
    content: content?.digest(),
  };
}

/**
 * Reads every file of an archive once, two at a time; files already read (while pg_dump was still writing
 * others) are passed in and not read again.
 */
export async function readArchive(
  setDir: string,
  archive: string,
  o: ReadOptions = {},
  already: Map<string, Promise<HashedFile>> = new Map(),
): Promise<ArchiveRead> {
  const names = fs
    .readdirSync(path.join(setDir, archive))
    .sort()
    .filter((n) => !already.has(n));
  const results: HashedFile[] = [];
  let next = 0;
  const lane = async () => {
    while (next < names.length) results.push(await hashArchiveFile(setDir, archive, names[next++]!, o));
  };
  await Promise.all([lane(), lane()]);
  results.push(...(await Promise.all(already.values())));
  const tables = new Map<number, { rows: number; checksum: string }>();
  for (const r of results) if (r.dumpId !== undefined && r.content) tables.set(r.dumpId, r.content);
  const files = results.map((r) => r.file).sort((a, b) => a.path.localeCompare(b.path));
  return { files, tables, bytes: files.reduce((n, f) => n + f.size, 0) };
}

/** fsync of every file in a folder and of the folder itself. */
export function syncTree(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) syncTree(p);
    else syncPath(p);
  }
  syncPath(dir);
}

export function syncPath(p: string): void {
  const fd = fs.openSync(p, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
