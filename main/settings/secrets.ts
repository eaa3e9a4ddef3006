// Secrets (generated database passwords, later TLS keys and API keys) never go into plain-text settings.
// Headless: a 0600 file in the data folder. Desktop: the Electron shell supplies a safeStorage-backed store.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileStamp, writeFileAtomic } from './atomic-file';

export interface SecretStore {
  readonly kind: 'file-0600' | 'safe-storage';
  get(name: string): string | undefined;
  set(name: string, value: string): void;
  /** The names it holds (values are never listed). */
  names(): string[];
  delete(name: string): void;
  /** Changes whenever the values held may have (a store without one is read afresh every time). */
  revision?(): string;
}

/** Returns the secret, generating and storing a random one the first time. */
export function ensureSecret(store: SecretStore, name: string, bytes = 24): string {
  const existing = store.get(name);
  if (existing) return existing;
  const value = crypto.randomBytes(bytes).toString('base64url');
  store.set(name, value);
  return value;
}

/** A JSON file of name → stored value, written 0600 and atomically; subclasses say how a value is stored. */
abstract class SecretFile implements SecretStore {
  abstract readonly kind: SecretStore['kind'];

  constructor(readonly file: string) {}

  /** The value as it goes into the file, and back. */
  protected abstract seal(value: string): string;
  protected abstract unseal(stored: string): string;

  protected read(): Record<string, string> {
    return fs.existsSync(this.file)
      ? (JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, string>)
      : {};
  }

  revision(): string {
    return fileStamp(this.file);
  }

  private write(all: Record<string, string>): void {
    writeFileAtomic(this.file, JSON.stringify(all, null, 2), 0o600);
  }

  get(name: string): string | undefined {
    const stored = this.read()[name];
    return stored === undefined ? undefined : this.unseal(stored);
  }

  set(name: string, value: string): void {
    this.write({ ...this.read(), [name]: this.seal(value) });
  }

  names(): string[] {
    return Object.keys(this.read());
  }

  delete(name: string): void {
    const all = this.read();
    if (!(name in all)) return;
    delete all[name];
    this.write(all);
  }
}

/** Values as they are, in a file only the user can read. */
export class FileSecretStore extends SecretFile {
  readonly kind = 'file-0600' as const;

  constructor(dataDir: string) {
    super(path.join(dataDir, 'secrets.json'));
  }

  protected override read(): Record<string, string> {
    if (fs.existsSync(this.file)) {
      const mode = fs.statSync(this.file).mode & 0o777;
      if (mode & 0o077) fs.chmodSync(this.file, 0o600); // tighten a file someone loosened
    }
    return super.read();
  }

  protected seal(value: string): string {
    return value;
  }

  protected unseal(stored: string): string {
    return stored;
  }
}

/** Encrypts each value with a cipher the shell provides (Electron's safeStorage). */
export class EncryptedSecretStore extends SecretFile {
  readonly kind = 'safe-storage' as const;

  constructor(
    dataDir: string,
    private readonly cipher: { encrypt(plain: string): Buffer; decrypt(data: Buffer): string },
  ) {
    super(path.join(dataDir, ENCRYPTED_SECRETS_FILE));
  }

  protected seal(value: string): string {
    return this.cipher.encrypt(value).toString('base64');
  }

  protected unseal(stored: string): string {
    return this.cipher.decrypt(Buffer.from(stored, 'base64'));
  }
}

/** Where the desktop app keeps sealed secrets: a headless console sees their names, never their values. */
export const ENCRYPTED_SECRETS_FILE = 'secrets.enc.json';
