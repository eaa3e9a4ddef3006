// Secrets (generated database passwords, later TLS keys and API keys) never go into plain-text settings.
// Headless: a 0600 file in the data folder. Desktop: the Electron shell supplies a safeStorage-backed store.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './store';

export interface SecretStore {
  readonly kind: 'file-0600' | 'safe-storage';
  get(name: string): string | undefined;
  set(name: string, value: string): void;
  /** The names it holds (values are never listed). */
  names(): string[];
  delete(name: string): void;
}

/** Returns the secret, generating and storing a random one the first time. */
export function ensureSecret(store: SecretStore, name: string, bytes = 24): string {
  const existing = store.get(name);
  if (existing) return existing;
  const value = crypto.randomBytes(bytes).toString('base64url');
  store.set(name, value);
  return value;
}

export class FileSecretStore implements SecretStore {
  readonly kind = 'file-0600' as const;
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'secrets.json');
  }

  private read(): Record<string, string> {
    if (!fs.existsSync(this.file)) return {};
    const mode = fs.statSync(this.file).mode & 0o777;
    if (mode & 0o077) fs.chmodSync(this.file, 0o600); // tighten a file someone loosened
    return JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, string>;
  }

  get(name: string): string | undefined {
    return this.read()[name];
  }

  set(name: string, value: string): void {
    writeFileAtomic(this.file, JSON.stringify({ ...this.read(), [name]: value }, null, 2), 0o600);
  }

  names(): string[] {
    return Object.keys(this.read());
  }

  delete(name: string): void {
    const all = this.read();
    if (!(name in all)) return;
    delete all[name];
    writeFileAtomic(this.file, JSON.stringify(all, null, 2), 0o600);
  }
}

/** Encrypts each value with a cipher the shell provides (Electron's safeStorage). */
export class EncryptedSecretStore implements SecretStore {
  readonly kind = 'safe-storage' as const;
  private readonly file: string;

  constructor(
    dataDir: string,
    private readonly cipher: { encrypt(plain: string): Buffer; decrypt(data: Buffer): string },
  ) {
    this.file = path.join(dataDir, ENCRYPTED_SECRETS_FILE);
  }

  private read(): Record<string, string> {
    return fs.existsSync(this.file)
      ? (JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, string>)
      : {};
  }

  get(name: string): string | undefined {
    const sealed = this.read()[name];
    return sealed === undefined ? undefined : this.cipher.decrypt(Buffer.from(sealed, 'base64'));
  }

  set(name: string, value: string): void {
    const all = { ...this.read(), [name]: this.cipher.encrypt(value).toString('base64') };
    writeFileAtomic(this.file, JSON.stringify(all, null, 2), 0o600);
  }

  names(): string[] {
    return Object.keys(this.read());
  }

  delete(name: string): void {
    const all = this.read();
    if (!(name in all)) return;
    delete all[name];
    writeFileAtomic(this.file, JSON.stringify(all, null, 2), 0o600);
  }
}

/** Where the desktop app keeps sealed secrets: a headless console sees their names, never their values. */
export const ENCRYPTED_SECRETS_FILE = 'secrets.enc.json';
