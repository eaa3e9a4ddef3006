// The PostgreSQL tools a provider hands out for one cluster (pg_dump, pg_restore, psql), and what their runs share.
// Each provider implements them in its own folder: on this machine (local, attached) or inside a container (Docker).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpsError } from '../api';

export interface ToolConnection {
  host: string;
  port: number;
  user: string;
  password: string;
  /** An attached profile's sslmode (and CA file), handed to libpq as PGSSLMODE / PGSSLROOTCERT. */
  ssl?: { mode: string; caFile?: string };
}

export function sslEnv(conn: ToolConnection): Record<string, string> {
  if (!conn.ssl) return {};
  return { PGSSLMODE: conn.ssl.mode, ...(conn.ssl.caFile ? { PGSSLROOTCERT: conn.ssl.caFile } : {}) };
}

export interface ToolRun {
  signal?: AbortSignal;
  onStderrLine?: (line: string) => void;
  onStdout?: (chunk: Buffer) => void;
  env?: Record<string, string>;
}

/** A pg_restore that needs only part of the archive. */
export interface RestoreOnly {
  /** The sections restored read the table of contents alone (no table data). */
  tocOnly?: boolean;
  /** A `pg_restore -l` list (lines kept restore, in order): passed as -L. */
  list?: string;
}

/** A -L list, written to a private temporary folder for the time of `work`. */
export async function withListFile<T>(
  list: string | undefined,
  work: (file?: string) => Promise<T>,
): Promise<T> {
  if (list === undefined) return work(undefined);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-restore-'));
  try {
    const file = path.join(dir, 'restore.list');
    fs.writeFileSync(file, list, { mode: 0o600 });
    return await work(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A folder on this machine where the server's own process can open a named pipe of ours. */
export interface ServerPipes {
  dir: string;
  /** The user the server runs as (the console is root and PostgreSQL is not): the pipe is handed to it. */
  owner?: { uid: number; gid: number };
}

export interface PgTools {
  /**
   * Where the server, running on this machine, can open a named pipe of ours (the local provider): a restore then
   * hands it a table's data through the pipe instead of over its session. Absent where the server runs elsewhere.
   */
  readonly serverPipes?: ServerPipes;
  /** pg_dump -Fd of a database into dir (which must not exist yet) on this machine. */
  dump(database: string, dir: string, args: string[], run: ToolRun): Promise<void>;
  /** pg_restore of the archive in dir (on this machine) into an existing database. */
  restore(database: string, dir: string, args: string[], run: ToolRun, only?: RestoreOnly): Promise<void>;
  /** pg_restore -l -v of the archive in dir: each entry with its dependencies (";\tdepends on:" comment lines). */
  toc(dir: string): Promise<string>;
  /** psql -c sql; stdout streams to run.onStdout. */
  psql(database: string, sql: string, run: ToolRun): Promise<void>;
}

export const cancelled = () =>
  new OpsError('CONFLICT', 'Cancelled by the operator.', 'Start it again when ready.');

export function failure(tool: string, code: number | null, stderr: string): Error {
  const errors = stderr
    .split('\n')
    .filter((l) => /error|fatal/i.test(l))
    .slice(-5)
    .join('\n');
  return new Error(`${tool} exited with ${code}: ${errors || stderr.trim().slice(-2000)}`);
}

/** Splits stderr into lines for the caller and keeps the tail for the error message. */
export function stderrSink(run: ToolRun) {
  let tail = '';
  let partial = '';
  return {
    write(text: string) {
      tail = (tail + text).slice(-32_000);
      if (!run.onStderrLine) return;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) run.onStderrLine(line);
    },
    tail: () => tail,
  };
}
