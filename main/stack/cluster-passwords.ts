// The embedded clusters' passwords: made once, for a cluster that does not exist yet, and never again. A
// password missing from the secret store while its cluster exists is reported as lost, not replaced: a new one
// would not open the cluster, and the operator would be locked out of their own data.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OpsError } from '../api';
import { ENCRYPTED_SECRETS_FILE, writeFileAtomic, type SecretStore } from '../settings';
import type { StackProvider, StackSpec } from './provider';

/** Names of the passwords this console ever made (names only, no values): proof their cluster was set up. */
const ISSUED_FILE = 'secrets-issued.json';

function issued(consoleDataDir: string): Set<string> {
  try {
    return new Set(JSON.parse(fs.readFileSync(path.join(consoleDataDir, ISSUED_FILE), 'utf8')) as string[]);
  } catch {
    return new Set();
  }
}

/** Names this process has seen in a data folder's issued list (the list only grows: no need to read it again). */
const knownIssued = new Set<string>();

function markIssued(consoleDataDir: string, name: string): void {
  const key = `${consoleDataDir}\0${name}`;
  if (knownIssued.has(key)) return;
  const names = issued(consoleDataDir);
  if (!names.has(name)) {
    names.add(name);
    writeFileAtomic(path.join(consoleDataDir, ISSUED_FILE), JSON.stringify([...names].sort()), 0o600);
  }
  knownIssued.add(key);
}

/** Whether the local provider's cluster folder is set up (the Docker provider's is known by the issued list). */
function clusterFolderExists(stackDataDir: string, cluster: string): boolean {
  try {
    return fs.existsSync(path.join(stackDataDir, cluster, 'data', 'PG_VERSION'));
  } catch {
    return false;
  }
}

/** Whether the desktop app's sealed store holds the name (its value is out of this process's reach). */
function sealedElsewhere(consoleDataDir: string, name: string): boolean {
  try {
    const sealed = JSON.parse(
      fs.readFileSync(path.join(consoleDataDir, ENCRYPTED_SECRETS_FILE), 'utf8'),
    ) as object;
    return Object.prototype.hasOwnProperty.call(sealed, name);
  } catch {
    return false;
  }
}

export function clusterPassword(
  secrets: SecretStore,
  consoleDataDir: string,
  name: string,
  cluster: string,
  where: { provider: string; stackDataDir: string },
): { value: string } | { lost: true; sealed: boolean } {
  const existing = secrets.get(name);
  if (existing) {
    markIssued(consoleDataDir, name);
    return { value: existing };
  }
  // The local provider's cluster is its folder (removed data takes its password's need with it); the Docker
  // provider's volumes are known by the list of passwords made.
  const exists =
    where.provider === 'local'
      ? clusterFolderExists(where.stackDataDir, cluster)
      : issued(consoleDataDir).has(name);
  if (exists) return { lost: true, sealed: sealedElsewhere(consoleDataDir, name) };
  const value = crypto.randomBytes(24).toString('base64url');
  secrets.set(name, value);
  markIssued(consoleDataDir, name);
  return { value };
}

/** Stores a password that replaced a lost one (after the cluster was told, by the reset). */
export function storeClusterPassword(
  secrets: SecretStore,
  consoleDataDir: string,
  name: string,
  value: string,
): void {
  secrets.set(name, value);
  markIssued(consoleDataDir, name);
}

/** The error a start or a validation gives while a cluster password is lost. */
export function lostSecretError(spec: StackSpec): OpsError | undefined {
  const lost = spec.lostSecrets ?? [];
  if (!lost.length) return undefined;
  const clusters = lost.map((l) => l.cluster).join(' and ');
  const sealed = lost.some((l) => l.sealed);
  return new OpsError(
    'SECRET_LOST',
    `The password of ${clusters} is not in the secret store, but the cluster already exists: a new password ` +
      'would not open it, so none was made and nothing was changed.',
    (sealed
      ? 'It is sealed in the desktop app’s keychain store, which this console cannot open: start the keyring or the ' +
        'desktop app, and it moves back by itself. '
      : 'If you have a copy of the data folder’s secrets file, put it back. ') +
      `If it is truly lost, reset it: Settings → Secrets → Reset password, or \`ops-console stack reset-password ${lost[0]!.cluster} --confirm "reset ${lost[0]!.cluster}"\` ` +
      '(the local provider sets a new one through the cluster’s own superuser route; the data is kept).',
    { lost: lost.map(({ name, cluster, sealed: s }) => ({ name, cluster, sealed: s })) },
  );
}

/**
 * A new password for an existing cluster, set through its superuser route (the data stays) and stored under the
 * cluster's name. Providers without such a route (Docker, attached) refuse with what the operator can do.
 */
export async function resetClusterPassword(
  provider: StackProvider,
  secrets: SecretStore,
  consoleDataDir: string,
  cluster: 'app-postgres' | 'temporal-postgres',
): Promise<void> {
  if (!provider.resetPassword)
    throw new OpsError(
      'NOT_SUPPORTED',
      `The ${provider.kind} provider has no superuser route to reset ${cluster}'s password.`,
      'Set the password of the role "ops" on that cluster as its administrator, then store it with the same name in the secret store.',
    );
  const password = crypto.randomBytes(24).toString('base64url');
  await provider.resetPassword(cluster, password);
  const name = cluster === 'app-postgres' ? 'stack.appPostgres.password' : 'stack.temporalPostgres.password';
  storeClusterPassword(secrets, consoleDataDir, name, password);
}
