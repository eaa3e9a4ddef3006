// App DB migrations with node-pg-migrate: forward-only SQL files, applied on stack start and recorded in the DB.
import fs from 'node:fs';
import { runner } from 'node-pg-migrate';
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

/** Applies every pending migration; a second run applies nothing. */
export async function migrateAppDb(databaseUrl: string): Promise<MigrationResult> {
  const applied = await runner({
    databaseUrl,
    dir: migrationsDir(),
    direction: 'up',
    migrationsTable: MIGRATIONS_TABLE,
    checkOrder: true,
    singleTransaction: true,
    log: () => undefined,
  });
  return { applied: applied.map((m) => m.name) };
}
