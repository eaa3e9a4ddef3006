// initdb and postgres refuse to run as root: when the console is root, they run as the `postgres` user.
import fs from 'node:fs';
import { OpsError } from '../../api';

export interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

export function postgresRunAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) {
    throw new OpsError(
      'STACK_FAILED',
      'The console runs as root, and PostgreSQL refuses to run as root, but there is no `postgres` user to run it as.',
      'Run the console as an ordinary user, or install postgresql-15 (it creates the postgres user).',
    );
  }
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid), name: 'postgres' };
}

/** Creates the folder (and parents) and hands it to the user that will run the service. */
export function ensureOwnedDir(dir: string, runAs: RunAs | undefined, mode = 0o700): void {
  fs.mkdirSync(dir, { recursive: true, mode });
  if (runAs) fs.chownSync(dir, runAs.uid, runAs.gid);
  fs.chmodSync(dir, mode);
}
