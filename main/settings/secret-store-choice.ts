// Which secret store the desktop app uses, and moving secrets into it from the other one, so a change of
// store between two launches never loses a password (a lost cluster password locks the operator out).
import { EncryptedSecretStore, FileSecretStore, type SecretStore } from './secrets';

export interface SecretStoreChoice {
  store: 'safe-storage' | 'file-0600';
  /** Said once, in the log and in Settings, when the system keychain is not used. */
  notice?: string;
}

const FILE_NOTICE =
  'Secrets are kept in a file only your user can read (secrets.json, mode 0600, in the data folder)';

/**
 * The decision, on what Electron reports. On Linux, safeStorage falls back to the `basic_text` backend (a key
 * written into Chromium's source) when no keyring answers: it counts as "encryption available" but protects
 * nothing, so it is refused like no encryption at all. `unknown` (no backend chosen yet) is refused too.
 */
export function chooseSecretStore(env: {
  platform: NodeJS.Platform;
  encryptionAvailable: boolean;
  /** safeStorage.getSelectedStorageBackend() on Linux. */
  linuxBackend?: string;
}): SecretStoreChoice {
  if (!env.encryptionAvailable)
    return { store: 'file-0600', notice: `${FILE_NOTICE}: this system offers no keychain to encrypt them.` };
  if (env.platform === 'linux' && (env.linuxBackend === 'basic_text' || env.linuxBackend === 'unknown'))
    return {
      store: 'file-0600',
      notice:
        `${FILE_NOTICE}: no keyring (GNOME Keyring, KWallet) answers, and Electron's fallback encrypts with a ` +
        'fixed key, which would only look safe. Start a keyring and restart the app to encrypt them.',
    };
  return { store: 'safe-storage' };
}

/**
 * Moves every secret the chosen store lacks from the other store, then removes it there. A secret the other
 * store cannot open (sealed by a keychain that is gone) stays where it is and is reported.
 */
export function moveSecrets(
  from: SecretStore | undefined,
  to: SecretStore,
): { moved: string[]; unreadable: string[] } {
  const moved: string[] = [];
  const unreadable: string[] = [];
  if (!from) return { moved, unreadable };
  const present = new Set(to.names());
  for (const name of from.names()) {
    let value: string | undefined;
    try {
      value = from.get(name);
    } catch {
      unreadable.push(name);
      continue;
    }
    if (value === undefined) continue;
    if (!present.has(name) || !to.get(name)) {
      to.set(name, value);
      moved.push(name);
    }
    // Only once the chosen store holds the same value: the copy in the store not used any more goes. (Two
    // different values are both kept: the one in use wins, the other stays for the operator to judge.)
    if (to.get(name) === value) from.delete(name);
  }
  return { moved, unreadable };
}

/** What the shell's safeStorage offers (Electron's object, passed in by main/electron; tests pass a stand-in). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  getSelectedStorageBackend?(): string;
  encryptString(plain: string): Buffer;
  decryptString(data: Buffer): string;
}

/** The store a desktop launch uses, with every secret moved into it from the other store. */
export function openDesktopSecretStore(
  dataDir: string,
  safeStorage: SafeStorageLike,
  platform: NodeJS.Platform = process.platform,
): { secrets: SecretStore; notice?: string; moved: string[]; unreadable: string[] } {
  const available = safeStorage.isEncryptionAvailable();
  const choice = chooseSecretStore({
    platform,
    encryptionAvailable: available,
    linuxBackend: platform === 'linux' && available ? safeStorage.getSelectedStorageBackend?.() : undefined,
  });
  const file = new FileSecretStore(dataDir);
  const sealed = available
    ? new EncryptedSecretStore(dataDir, {
        encrypt: (plain) => safeStorage.encryptString(plain),
        decrypt: (data) => safeStorage.decryptString(data),
      })
    : undefined;
  const secrets = choice.store === 'safe-storage' && sealed ? sealed : file;
  const { moved, unreadable } = moveSecrets(secrets === file ? sealed : file, secrets);
  return { secrets, ...(choice.notice ? { notice: choice.notice } : {}), moved, unreadable };
}
