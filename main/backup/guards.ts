// Whether a backup set may be restored onto this stack: pure checks, one sentence per refusal.
import type { BackupKind, BackupManifest } from '../api';

export interface RestoreTarget {
  /** Major version of the server each kind would be restored onto. */
  serverMajor: Record<BackupKind, number>;
  /** The migrations this console ships (file names without extension). */
  knownMigrations: string[];
  /** The newest Temporal schema this server's build ships, per Temporal database. */
  temporalSchemaLatest: Record<string, string>;
}

/** "1.14" < "1.9"? No: versions compare part by part as numbers. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

const LABEL: Record<BackupKind, string> = { app: 'app DB', temporal: 'Temporal DB' };
const A: Record<BackupKind, string> = { app: 'an', temporal: 'a' };

export function restoreRefusals(
  manifest: BackupManifest,
  requested: BackupKind[],
  target: RestoreTarget,
  archiveKinds: Record<string, BackupKind | 'foreign'>,
): string[] {
  const problems: string[] = [];
  for (const kind of requested) {
    if (!manifest.kinds.includes(kind)) {
      const other = manifest.kinds.map((k) => `${A[k]} ${LABEL[k]} backup`).join(' and ');
      problems.push(`This set holds ${other} only; it cannot be restored into the ${LABEL[kind]}.`);
    }
  }
  for (const db of manifest.databases.filter((d) => requested.includes(d.kind))) {
    const found = archiveKinds[db.database];
    if (found && found !== db.kind) {
      problems.push(
        found === 'foreign'
          ? `The archive for ${db.database} is not a backup of the app DB or the Temporal DB.`
          : `The archive for ${db.database} holds ${A[found]} ${LABEL[found]} backup, not ${A[db.kind]} ${LABEL[db.kind]} backup: refusing to restore it into the ${LABEL[db.kind]}.`,
      );
    }
    if (db.serverMajor > target.serverMajor[db.kind]) {
      problems.push(
        `${db.database} was dumped from PostgreSQL ${db.serverMajor}, newer than the target server (${target.serverMajor[db.kind]}).`,
      );
    }
    if (db.kind === 'app') {
      const unknown = (db.appMigrations ?? []).filter((m) => !target.knownMigrations.includes(m));
      if (unknown.length)
        problems.push(
          `The app DB in this set has migrations this console does not know (${unknown.join(', ')}): it is newer than this console.`,
        );
    }
    if (db.kind === 'temporal' && db.temporalSchemaVersion) {
      const latest = target.temporalSchemaLatest[db.database];
      if (latest && compareVersions(db.temporalSchemaVersion, latest) > 0)
        problems.push(
          `${db.database} has Temporal schema ${db.temporalSchemaVersion}, newer than this Temporal server supports (${latest}).`,
        );
    }
  }
  return problems;
}
