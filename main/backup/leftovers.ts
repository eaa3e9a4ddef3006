// Databases a restore or a trial restore left behind (*_restore_*, *_old_*, *_verify_*), and their removal.
import { OpsError } from '../api';
import type { BackupKind } from '../api';
import { dropDatabase, listDatabases } from './database';
import type { BackupEnv } from './env';

const LEFTOVER = /_(restore|old|verify)_\d{8}t\d{6}$/;

export interface Leftover {
  kind: BackupKind;
  database: string;
  sizeBytes: number;
}

export async function leftovers(env: BackupEnv): Promise<Leftover[]> {
  const out: Leftover[] = [];
  for (const kind of ['app', 'temporal'] as BackupKind[]) {
    try {
      for (const d of await listDatabases(env.endpointOf(kind)))
        if (LEFTOVER.test(d.database)) out.push({ kind, ...d });
    } catch {
      // that cluster is down: nothing to list
    }
  }
  return out;
}

export async function dropLeftover(env: BackupEnv, database: string): Promise<{ dropped: true }> {
  const found = (await leftovers(env)).find((l) => l.database === database);
  if (!found)
    throw new OpsError(
      'NOT_FOUND',
      `${database} is not a database a restore left behind.`,
      'Only *_old_*, *_restore_* and *_verify_* databases can be removed here.',
    );
  await dropDatabase(env.endpointOf(found.kind), database);
  env.log.info(`removed ${database}`);
  return { dropped: true as const };
}
