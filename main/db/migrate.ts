// App DB migrations with node-pg-migrate: forward-only SQL files, applied on stack start and recorded in the DB.
import fs from 'node:fs';
import path from 'node:path';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { shippedResources } from '../resources';

export const MIGRATIONS_TABLE = 'ops_schema_migrations';

/** The migrations folder: unpacked in a package, next to the bundle in a build, else the source tree. */
export function migrationsDir(): string {
  const candidates = shippedResources().migrationsDirs;
  const found = candidates.find((dir) => fs.existsSync(dir));
  if (!found) throw new Error(`The app DB migrations are missing (looked in ${candidates.join(', ')})`);
  return found;
}

export interface MigrationResult {
  applied: string[];
}

/** The migrations' names, in the order they apply (file names without their extension, sorted). */
function migrationNames(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .sort()
    .map((name) => path.basename(name, path.extname(name)));
}

/**
 * Whether the app DB has run exactly the migrations the console ships, in their order: two short reads. Anything
 * else (no table yet, one pending, another order) is for the migration runner to apply or refuse.
 */
async function upToDate(client: pg.Client, dir: string): Promise<boolean> {
  try {
    // A new database has no table yet: asked first, so the read never leaves an error in the server's log.
    const table = await client.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [
      MIGRATIONS_TABLE,
    ]);
    if (!table.rows[0]?.found) return false;
    const { rows } = await client.query<{ name: string }>(
      `SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY run_on, id`,
    );
    const shipped = migrationNames(dir);
    return rows.length === shipped.length && rows.every((r, i) => r.name === shipped[i]);
  } catch {
    return false; // a table unlike the runner's: the runner says what is wrong
  }
}

export interface MigrateOptions {
  /**
   * Told the server process (its pid, on the database's host) that is about to apply pending migrations, before
   * they run: a start on this machine lowers its priority, so the Temporal side's start goes first.
   */
  beforeApplying?: (backendPid: number) => void;
}

/**
 * Applies every pending migration; a second run applies nothing. A database already up to date is told by a read
 * (a warm start does not wait for the runner's lock and its look at the catalogue); any other goes to the runner,
 * which applies what is pending under its lock. One connection for both.
 */
export async function migrateAppDb(
  databaseUrl: string,
  options: MigrateOptions = {},
): Promise<MigrationResult> {
  const dir = migrationsDir();
  const client = new pg.Client({ connectionString: databaseUrl });
  // A connection lost mid-way fails the query under way, which says so; the event adds nothing, and unheard it
  // would end the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    if (await upToDate(client, dir)) return { applied: [] };
    if (options.beforeApplying) {
      const { rows } = await client.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`);
      options.beforeApplying(rows[0]!.pid);
    }
    const applied = await runner({
      dbClient: client,
      dir,
      direction: 'up',
      migrationsTable: MIGRATIONS_TABLE,
      checkOrder: true,
      singleTransaction: true,
      log: () => undefined,
    });
    return { applied: applied.map((m) => m.name) };
  } finally {
    await client.end().catch(() => undefined);
  }
}
