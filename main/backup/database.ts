// What the backup needs from a live Postgres: versions, migrations, sizes, table checksums, and the database swap.
import pg from 'pg';
import { OpsError } from '../api';
import type { PostgresEndpoint } from '../stack';
import { CONTENT_ALGORITHM, ContentHasher, type ContentAlgorithm } from './content-hash';
import type { PgTools } from '../stack';

export type Endpoint = Pick<PostgresEndpoint, 'host' | 'port' | 'user' | 'password' | 'ssl'>;

/** Session settings pg_dump uses, so a live COPY produces the same text as the archive holds. */
export const DUMP_SESSION_OPTIONS =
  '-c DateStyle=ISO -c IntervalStyle=postgres -c extra_float_digits=3 -c synchronize_seqscans=off -c statement_timeout=0';

export async function withClient<T>(
  endpoint: Endpoint,
  database: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ ...endpoint, database, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw new OpsError(
      'UNAVAILABLE',
      `PostgreSQL at ${endpoint.host}:${endpoint.port} (database ${database}) does not answer: ${(err as Error).message}`,
      'Start the stack (Stack page or `ops-console stack up`) and try again.',
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function serverVersion(client: pg.Client): Promise<{ version: string; major: number }> {
  const { rows } = await client.query<{ v: string; n: string }>(
    `SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n`,
  );
  return { version: rows[0]!.v, major: Math.floor(Number(rows[0]!.n) / 10_000) };
}

export async function appMigrations(client: pg.Client, table: string): Promise<string[]> {
  const exists = await client.query<{ t: string | null }>(`SELECT to_regclass($1) AS t`, [table]);
  if (!exists.rows[0]?.t) return [];
  const { rows } = await client.query<{ name: string }>(`SELECT name FROM "${table}" ORDER BY run_on, id`);
  return rows.map((r) => r.name);
}

export async function temporalSchemaVersion(
  client: pg.Client,
  database: string,
): Promise<string | undefined> {
  const exists = await client.query<{ t: string | null }>(`SELECT to_regclass('public.schema_version') AS t`);
  if (!exists.rows[0]?.t) return undefined;
  const { rows } = await client.query<{ v: string }>(
    'SELECT curr_version AS v FROM schema_version WHERE version_partition = 0 AND db_name = $1',
    [database],
  );
  return rows[0]?.v;
}

export async function databaseSizes(
  endpoint: Endpoint,
  names: string[],
): Promise<Array<{ database: string; sizeBytes: number }>> {
  return withClient(endpoint, 'postgres', async (client) => {
    const { rows } = await client.query<{ datname: string; size: string }>(
      `SELECT datname, pg_database_size(datname)::text AS size FROM pg_database WHERE datname = ANY($1)`,
      [names],
    );
    return rows.map((r) => ({ database: r.datname, sizeBytes: Number(r.size) }));
  });
}

export async function listDatabases(
  endpoint: Endpoint,
): Promise<Array<{ database: string; sizeBytes: number }>> {
  return withClient(endpoint, 'postgres', async (client) => {
    const { rows } = await client.query<{ datname: string; size: string }>(
      `SELECT datname, pg_database_size(datname)::text AS size FROM pg_database WHERE NOT datistemplate`,
    );
    return rows.map((r) => ({ database: r.datname, sizeBytes: Number(r.size) }));
  });
}

/** A string literal (standard_conforming_strings, on since PostgreSQL 9.1: only the quote is doubled). */
export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function createDatabase(endpoint: Endpoint, name: string): Promise<void> {
  await withClient(endpoint, 'postgres', (c) =>
    c.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0 ENCODING 'UTF8'`),
  );
}

export async function dropDatabase(endpoint: Endpoint, name: string): Promise<void> {
  await withClient(endpoint, 'postgres', (c) =>
    c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`),
  );
}

/**
 * Puts each replacement in place of its live database in one transaction: the live one is renamed to keepAs,
 * the replacement takes its name. Either every rename happens or none does.
 */
export async function swapDatabases(
  endpoint: Endpoint,
  pairs: Array<{ live: string; replacement: string; keepAs: string }>,
): Promise<void> {
  const names = pairs.flatMap((p) => [p.live, p.replacement]);
  const allow = (c: pg.Client, name: string, on: boolean) =>
    c.query(`ALTER DATABASE ${quoteIdent(name)} ALLOW_CONNECTIONS ${on}`);
  await withClient(endpoint, 'postgres', async (client) => {
    // Sessions of the live database (the app's pools, the progress listener, the pages' live reads) must go for
    // the rename, and they reconnect within milliseconds: no new session is let in until the swap is over.
    for (const name of names) await allow(client, name, false);
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await client.query(
            `SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid()`,
            [names],
          );
          await client.query('BEGIN');
          for (const p of pairs) {
            await client.query(`ALTER DATABASE ${quoteIdent(p.live)} RENAME TO ${quoteIdent(p.keepAs)}`);
            await client.query(`ALTER DATABASE ${quoteIdent(p.replacement)} RENAME TO ${quoteIdent(p.live)}`);
          }
          await client.query('COMMIT');
          return;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          // A session that was already past the door when it closed: terminate again.
          if (!/being accessed by other users/.test((err as Error).message)) throw err;
          if (attempt >= 50)
            throw new OpsError(
              'CONFLICT',
              `${pairs.map((p) => p.live).join(', ')} kept being used by other sessions; nothing was swapped.`,
              'Close other clients of these databases (psql, pgAdmin, other consoles) and restore again.',
            );
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    } finally {
      // Whatever the outcome, every name that exists now takes connections again.
      const { rows } = await client.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE datname = ANY($1)',
        [[...names, ...pairs.map((p) => p.keepAs)]],
      );
      for (const r of rows) await allow(client, r.datname, true);
    }
  });
}

export interface LiveTable {
  schema: string;
  name: string;
  columns: string[];
}

/** The ordinary tables of a database with the columns pg_dump copies (no dropped or generated ones). */
export async function liveTables(client: pg.Client): Promise<LiveTable[]> {
  const { rows } = await client.query<{ schema: string; name: string; columns: string[] | null }>(
    `SELECT n.nspname AS schema, c.relname AS name,
            array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE a.attnum > 0) AS columns
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg_toast%'
      GROUP BY n.nspname, c.relname`,
  );
  return rows.map((r) => ({ schema: r.schema, name: r.name, columns: r.columns ?? [] }));
}

/** Content checksum and row count of one table's COPY text, read by psql with pg_dump's session settings. */
export async function liveTableChecksum(
  tools: PgTools,
  database: string,
  table: LiveTable,
  signal?: AbortSignal,
  algorithm: ContentAlgorithm = CONTENT_ALGORITHM,
): Promise<{ rows: number; checksum: string }> {
  const cols = table.columns.map(quoteIdent).join(', ');
  const sql = `COPY ${quoteIdent(table.schema)}.${quoteIdent(table.name)} (${cols}) TO STDOUT`;
  const hasher = await ContentHasher.create(false, algorithm);
  try {
    await tools.psql(database, sql, {
      signal,
      env: { PGOPTIONS: DUMP_SESSION_OPTIONS },
      onStdout: (chunk) => hasher.update(chunk),
    });
  } catch (err) {
    throw new Error(`COPY of ${table.schema}.${table.name} failed: ${(err as Error).message}`);
  }
  return hasher.digest();
}

/** Checksums of every ordinary table (or those named), two at a time. Keyed "schema.name". */
export async function liveChecksums(
  tools: PgTools,
  endpoint: Endpoint,
  database: string,
  signal?: AbortSignal,
  only?: Set<string>,
  algorithm: ContentAlgorithm = CONTENT_ALGORITHM,
): Promise<Map<string, { rows: number; checksum: string }>> {
  const queue = new ChecksumQueue(tools, endpoint, database, signal, algorithm);
  const tables = await withClient(endpoint, database, liveTables);
  return queue.drain(tables.map((t) => `${t.schema}.${t.name}`).filter((k) => !only || only.has(k)));
}

/**
 * Checksums of tables as each becomes final (a restore reports every table whose data is loaded), a few at a
 * time, so the read-back overlaps the rest of the restore. drain() adds what is left and waits for all.
 */
export class ChecksumQueue {
  private tables: Promise<Map<string, LiveTable>> | undefined;
  private readonly queued = new Set<string>();
  private readonly waiting: string[] = [];
  private readonly results = new Map<string, { rows: number; checksum: string }>();
  private running = 0;
  private failure: Error | undefined;
  private wake: Array<() => void> = [];

  constructor(
    private readonly tools: PgTools,
    private readonly endpoint: Endpoint,
    private readonly database: string,
    private readonly signal?: AbortSignal,
    private readonly algorithm: ContentAlgorithm = CONTENT_ALGORITHM,
    private readonly lanes = 2,
  ) {}

  add(key: string): void {
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.waiting.push(key);
    this.pump();
  }

  private pump(): void {
    while (this.running < this.lanes && this.waiting.length > 0) {
      const key = this.waiting.shift()!;
      this.running++;
      this.one(key)
        .catch((err: Error) => (this.failure ??= err))
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0 && this.waiting.length === 0) for (const w of this.wake.splice(0)) w();
        });
    }
  }

  private async one(key: string): Promise<void> {
    this.tables ??= withClient(this.endpoint, this.database, liveTables).then(
      (list) => new Map(list.map((t) => [`${t.schema}.${t.name}`, t])),
    );
    const table = (await this.tables).get(key);
    if (!table) return; // reported as missing by the comparison
    this.results.set(
      key,
      await liveTableChecksum(this.tools, this.database, table, this.signal, this.algorithm),
    );
  }

  async drain(keys: string[]): Promise<Map<string, { rows: number; checksum: string }>> {
    for (const k of keys) this.add(k);
    if (this.running > 0 || this.waiting.length > 0) await new Promise<void>((r) => this.wake.push(r));
    if (this.failure) throw this.failure;
    return this.results;
  }
}
