// The restore plan: what a set would replace and stop, and why this stack cannot take it (if it cannot).
import fs from 'node:fs';
import path from 'node:path';
import type { BackupKind, RestorePlan } from '../api';
import { migrationsDir } from '../db';
import { latestSchemaVersion } from '../stack';
import { archiveKind, parseToc, readTocText } from './dump';
import { databaseSizes, serverVersion, withClient } from './database';
import type { BackupEnv } from './env';
import { restoreRefusals, type RestoreTarget } from './guards';
import { readManifest, setDir } from './sets';

async function restoreTarget(env: BackupEnv, kinds: BackupKind[]): Promise<RestoreTarget> {
  const serverMajor: Record<BackupKind, number> = { app: 0, temporal: 0 };
  for (const kind of kinds)
    serverMajor[kind] = (await withClient(env.endpointOf(kind), 'postgres', serverVersion)).major;
  const knownMigrations = fs
    .readdirSync(migrationsDir())
    .filter((f) => /\.(sql|js|ts)$/.test(f))
    .map((f) => f.replace(/\.(sql|js|ts)$/, ''));
  const temporalSchemaLatest: Record<string, string> = {};
  for (const db of env.deps.stack.spec().temporalPostgres.databases) {
    try {
      temporalSchemaLatest[db] = latestSchemaVersion(env.binaries().schemaDir, db);
    } catch {
      // no schema folder: the guard cannot judge, and the server's own check applies at start
    }
  }
  return { serverMajor, knownMigrations, temporalSchemaLatest };
}

export async function plan(env: BackupEnv, setId: string, kinds?: BackupKind[]): Promise<RestorePlan> {
  return (await planWithTocs(env, setId, kinds)).plan;
}

/** The plan, and each archive's table of contents it read (the restore loads with them). */
export async function planWithTocs(
  env: BackupEnv,
  setId: string,
  kinds?: BackupKind[],
): Promise<{ plan: RestorePlan; tocs: Map<string, string> }> {
  const root = env.root();
  const manifest = readManifest(root, setId);
  const wanted = kinds ?? manifest.kinds;
  const dbs = manifest.databases.filter((d) => wanted.includes(d.kind));
  // Each archive's table of contents, the target's versions and the live databases' sizes are read at once.
  const [reads, target, sizes] = await Promise.all([
    Promise.all(
      dbs.map(async (db) => {
        try {
          const toc = await readTocText(await env.tools(db.kind), path.join(setDir(root, setId), db.archive));
          return { toc, kind: archiveKind(parseToc(toc)) };
        } catch {
          return undefined;
        }
      }),
    ),
    restoreTarget(env, wanted),
    Promise.all(dbs.map((db) => databaseSizes(env.endpointOf(db.kind), [db.database]))),
  ]);
  const archiveKinds: Record<string, BackupKind | 'foreign'> = {};
  const tocs = new Map<string, string>();
  dbs.forEach((db, i) => {
    const read = reads[i];
    archiveKinds[db.database] = read?.kind ?? 'foreign';
    if (read) tocs.set(db.database, read.toc);
  });
  const refusals = restoreRefusals(manifest, wanted, target, archiveKinds);
  const replaces: RestorePlan['replaces'] = dbs.map((db, i) => ({
    kind: db.kind,
    database: db.database,
    currentSizeBytes: sizes[i]?.[0]?.sizeBytes ?? 0,
    keptAs: `${db.database}_old_<time of the restore>`,
    backupTakenAt: db.startedAt,
  }));
  const stops = [
    'the worker (drained first)',
    ...(wanted.includes('temporal') ? ['the Temporal server'] : []),
  ];
  const summary = refusals.length
    ? `This set cannot be restored: ${refusals.join(' ')}`
    : `Replaces ${replaces.map((r) => r.database).join(', ')} with the copies taken ${new Date(manifest.createdAt).toLocaleString()}. ` +
      `Stops ${stops.join(' and ')} meanwhile. The current databases are kept (renamed *_old_<time>) until you remove them. ` +
      `Anything written since the backup is not in the restored databases.`;
  return { plan: { setId, kinds: wanted, replaces, stops, refusals, summary }, tocs };
}
