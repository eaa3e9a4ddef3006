// One way to replace a file so that a crash leaves the old one or the new one, never half of either: the
// settings, secrets, profiles, and the backup sets' manifests, verifications and schedule all write with it.
import fs from 'node:fs';
import path from 'node:path';

/**
 * What a file is now, as a short text that changes when it is replaced or written (its inode, change time and
 * size); "absent" when there is none. Cheaper than reading it: a cache of what was read from it keys on this.
 */
export function fileStamp(file: string): string {
  try {
    const s = fs.statSync(file, { bigint: true });
    return `${s.ino}:${s.ctimeNs}:${s.size}`;
  } catch {
    return 'absent';
  }
}

/** Writes `data` under a temporary name beside `file`, syncs it, renames it into place and syncs the folder. */
export function writeFileAtomic(file: string, data: string, mode = 0o600): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  syncFolder(dir);
}

/** The rename itself made durable: fsync of the folder (where the platform allows a folder to be opened). */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot open a folder for fsync; the rename is as durable as it gets there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
