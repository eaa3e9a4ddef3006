// Base backups with pg_basebackup: written under a temporary name, described by meta.json, renamed when whole.
import type { BaseBackup } from '../recovery-driver';
import fs from 'node:fs';
import path from 'node:path';
import type { PostgresCluster } from '../local/postgres';
import { run } from '../local/process';

export type { BaseBackup };

function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

export async function takeBaseBackup(cluster: PostgresCluster): Promise<BaseBackup> {
  fs.mkdirSync(cluster.baseBackupDir, { recursive: true });
  if (cluster.runAs) fs.chownSync(cluster.baseBackupDir, cluster.runAs.uid, cluster.runAs.gid);
  const label = new Date().toISOString().replace(/[:.]/g, '-');
  const part = path.join(cluster.baseBackupDir, `${label}.part`);
  const { host, port, user, password } = cluster.endpoint;
  try {
    await run(
      path.join(cluster.binDir(), 'pg_basebackup'),
      [
        '-h',
        host,
        '-p',
        String(port),
        '-U',
        user,
        '-D',
        part,
        '-Fp',
        '-X',
        'stream',
        '--checkpoint=fast',
        '-l',
        `ops-console ${label}`,
      ],
      { env: { PGPASSWORD: password }, runAs: cluster.runAs },
    );
  } catch (err) {
    fs.rmSync(part, { recursive: true, force: true });
    throw err;
  }
  const backupLabel = fs.readFileSync(path.join(part, 'backup_label'), 'utf8');
  const startWal = /START WAL LOCATION: \S+ \(file ([0-9A-F]{24})\)/.exec(backupLabel)?.[1];
  const startTime = /START TIME: (.+)/.exec(backupLabel)?.[1];
  if (!startWal || !startTime) throw new Error(`pg_basebackup wrote an unexpected backup_label in ${part}`);
  const meta: BaseBackup = {
    cluster: cluster.id,
    dir: path.join(cluster.baseBackupDir, label),
    label,
    startWal,
    startedAt: new Date(startTime.trim().replace(' ', 'T').replace(/ UTC$/, 'Z')).toISOString(),
    finishedAt: new Date().toISOString(),
    bytes: dirBytes(part),
  };
  fs.writeFileSync(path.join(part, 'ops-console-base-backup.json'), JSON.stringify(meta, null, 2));
  fs.renameSync(part, meta.dir);
  return meta;
}

export function listBaseBackups(cluster: PostgresCluster): BaseBackup[] {
  if (!fs.existsSync(cluster.baseBackupDir)) return [];
  const out: BaseBackup[] = [];
  for (const name of fs.readdirSync(cluster.baseBackupDir)) {
    const file = path.join(cluster.baseBackupDir, name, 'ops-console-base-backup.json');
    if (name.endsWith('.part') || !fs.existsSync(file)) continue;
    out.push({
      ...(JSON.parse(fs.readFileSync(file, 'utf8')) as BaseBackup),
      dir: path.join(cluster.baseBackupDir, name),
    });
  }
  return out.sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
}

/** Keeps the newest `keep` base backups; returns the oldest kept one (its WAL must stay). */
export function pruneBaseBackups(cluster: PostgresCluster, keep: number): BaseBackup | undefined {
  const all = listBaseBackups(cluster);
  const drop = all.slice(0, Math.max(0, all.length - keep));
  for (const b of drop) fs.rmSync(b.dir, { recursive: true, force: true });
  return all[drop.length];
}
