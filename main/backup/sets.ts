// Where backup sets live on disk: <backups>/<id>/manifest.json plus one archive folder per database.
// A set being written is <id>.partial; only a complete, synced set is renamed to <id>.
import fs from 'node:fs';
import path from 'node:path';
import { OpsError } from '../api';
import {
  BackupManifestSchema,
  VerificationSchema,
  type BackupManifest,
  type BackupSetSummary,
  type Verification,
} from '../api';
import { writeFileAtomic } from '../settings';

export const MANIFEST = 'manifest.json';
const VERIFICATION = 'verification.json';
export const PARTIAL = '.partial';

export function setDir(root: string, id: string): string {
  return path.join(root, id);
}

export function readManifest(root: string, id: string): BackupManifest {
  if (id.endsWith(PARTIAL))
    throw new OpsError(
      'BACKUP_INVALID',
      `${id} is an unfinished backup (it was cancelled or interrupted).`,
      'Remove it and make a new backup.',
    );
  const file = path.join(setDir(root, id), MANIFEST);
  if (!fs.existsSync(setDir(root, id)))
    throw new OpsError('NOT_FOUND', `There is no backup set ${id}.`, 'List the sets with `backup list`.');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new OpsError(
      'BACKUP_INVALID',
      `${id} has no readable manifest (${(err as Error).message}): it is not a backup set made by this console.`,
      'Choose another set.',
    );
  }
  const parsed = BackupManifestSchema.safeParse(raw);
  if (!parsed.success)
    throw new OpsError(
      'BACKUP_INVALID',
      `${id}'s manifest is not an Ops Console backup manifest: ${parsed.error.issues[0]?.message ?? 'invalid'}.`,
      'Choose another set.',
    );
  if (parsed.data.id !== id)
    throw new OpsError(
      'BACKUP_INVALID',
      `${id}'s manifest describes another set (${parsed.data.id}).`,
      'The folder was renamed or copied over; choose another set.',
    );
  return parsed.data;
}

export function readVerification(root: string, id: string): Verification | undefined {
  try {
    return VerificationSchema.parse(
      JSON.parse(fs.readFileSync(path.join(setDir(root, id), VERIFICATION), 'utf8')),
    );
  } catch {
    return undefined;
  }
}

/**
 * What a set's badge keeps: the strongest check it has passed (a later plain verify does not undo a passed trial
 * restore), unless the new check failed: a failure always shows.
 */
export function strongestVerification(before: Verification | undefined, next: Verification): Verification {
  if (next.ok && !next.trialRestore && before?.ok && before.trialRestore) return before;
  return next;
}

export function writeVerification(root: string, id: string, v: Verification): void {
  const kept = strongestVerification(readVerification(root, id), v);
  writeFileAtomic(path.join(setDir(root, id), VERIFICATION), JSON.stringify(kept, null, 2));
}

export function summarise(root: string, manifest: BackupManifest): BackupSetSummary {
  return {
    id: manifest.id,
    path: setDir(root, manifest.id),
    createdAt: manifest.createdAt,
    kinds: manifest.kinds,
    databases: manifest.databases.map((d) => d.database),
    bytes: manifest.databases.reduce((n, d) => n + d.bytes, 0),
    quiesced: manifest.consistency.quiesced,
    label: manifest.label,
    verification: readVerification(root, manifest.id),
  };
}

/** Every complete set, newest first; unreadable folders are skipped (verify names them). */
export function listSets(root: string): BackupSetSummary[] {
  if (!fs.existsSync(root)) return [];
  const sets: BackupSetSummary[] = [];
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.endsWith(PARTIAL)) continue;
    try {
      sets.push(summarise(root, readManifest(root, entry.name)));
    } catch {
      // not a set of ours
    }
  }
  return sets.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Unfinished sets left by a cancelled or killed backup. */
export function partialSets(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).filter((n) => n.endsWith(PARTIAL));
}

export function removeSet(root: string, id: string): void {
  const dir = setDir(root, id);
  if (path.dirname(dir) !== path.resolve(root))
    throw new OpsError('INVALID_INPUT', 'Not a set id.', 'Use an id from the list.');
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Which sets a retention rule removes: beyond the newest keepLast, or older than keepDays. */
export function expiredSets(
  sets: BackupSetSummary[],
  rule: { keepLast?: number; keepDays?: number },
  now: Date,
): string[] {
  const newestFirst = [...sets].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return newestFirst
    .filter((s, i) => {
      if (rule.keepLast !== undefined && i >= rule.keepLast) return true;
      if (rule.keepDays !== undefined && now.getTime() - Date.parse(s.createdAt) > rule.keepDays * 86_400_000)
        return i > 0; // the newest set is never removed by age alone
      return false;
    })
    .map((s) => s.id);
}

/** Bytes under a path (a partial set's folder), 0 when it is gone. */
export function treeSize(p: string): number {
  try {
    const stat = fs.statSync(p);
    if (!stat.isDirectory()) return stat.size;
    return fs.readdirSync(p).reduce((n, f) => n + treeSize(path.join(p, f)), 0);
  } catch {
    return 0;
  }
}
