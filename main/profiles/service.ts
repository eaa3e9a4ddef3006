// Connection profiles: saved in profiles.json (no secrets), secrets in the secret store, the saved choice or a
// per-process override (--profile), and the production lock: writes are refused at the router until the
// operator unlocks the profile for a limited time by typing its name.
import fs from 'node:fs';
import path from 'node:path';
import {
  ProfileSchema,
  ProfileSecretsSchema,
  type OperationName,
  type Profile,
  type ProfileMode,
  type ProfileSecretName,
  type ProfileSecrets,
  type ProfilesView,
  type ProfileView,
} from '../api';
import { OpsError } from '../api';
import type { Router } from '../api';
import { fileStamp, writeFileAtomic, type SecretStore } from '../settings';
import { profileSecretKey } from '../stack';

interface ProfilesFile {
  active: string | null;
  profiles: Profile[];
}

interface UnlockFile {
  name: string;
  until: string;
}

const SECRET_NAMES = Object.keys(ProfileSecretsSchema.shape) as ProfileSecretName[];

/**
 * Writes a production profile accepts while locked: managing profiles and the lock itself, and the theme (a
 * preference of this window, not a change to the stack).
 */
const ALWAYS_ALLOWED = (op: OperationName, input: unknown) =>
  op.startsWith('profiles.') ||
  (op === 'settings.update' &&
    typeof input === 'object' &&
    input !== null &&
    Object.entries(input).every(([k, v]) => k === 'theme' || v === undefined));

export interface ProfileServiceOptions {
  dataDir: string;
  secrets: SecretStore;
  /** `--profile`: this process looks at that profile without changing the saved choice. */
  override?: string;
  now?: () => number;
}

export class ProfileService {
  readonly file: string;
  private readonly unlockFile: string;
  private readonly secrets: SecretStore;
  private override: string | undefined;
  private readonly now: () => number;
  private readonly listeners = new Set<(view: ProfilesView) => void>();

  constructor(options: ProfileServiceOptions) {
    this.file = path.join(options.dataDir, 'profiles.json');
    this.unlockFile = path.join(options.dataDir, 'profile-unlock.json');
    this.secrets = options.secrets;
    this.now = options.now ?? Date.now;
    this.override = options.override;
    if (this.override && !this.find(this.override)) {
      throw new OpsError(
        'NOT_FOUND',
        `There is no profile named "${this.override}".`,
        'List them with `ops-console profile list`, or add it with `ops-console profile add`.',
      );
    }
  }

  private read(): ProfilesFile {
    if (!fs.existsSync(this.file)) return { active: null, profiles: [] };
    try {
      const raw = JSON.parse(fs.readFileSync(this.file, 'utf8')) as ProfilesFile;
      return {
        active: raw.active ?? null,
        profiles: (raw.profiles ?? []).map((p) => ProfileSchema.parse(p)),
      };
    } catch (err) {
      throw new OpsError(
        'INVALID_INPUT',
        `The profiles file ${this.file} is not valid: ${(err as Error).message}`,
        'Fix the file by hand, or move it aside to start without profiles.',
      );
    }
  }

  private write(file: ProfilesFile): void {
    writeFileAtomic(this.file, JSON.stringify(file, null, 2) + '\n', 0o600);
  }

  find(name: string): Profile | undefined {
    return this.read().profiles.find((p) => p.name === name);
  }

  private require(name: string): Profile {
    const profile = this.find(name);
    if (!profile)
      throw new OpsError(
        'NOT_FOUND',
        `There is no profile named "${name}".`,
        'Check the name against the list of profiles.',
      );
    return profile;
  }

  /** Changes whenever the profile in force may have (the saved choice, the profiles, this process's override). */
  revision(): string {
    return `${this.override ?? ''}\0${fileStamp(this.file)}`;
  }

  /** The profile in force, or undefined for the embedded stack from the settings. */
  active(): Profile | undefined {
    const name = this.override ?? this.read().active;
    return name ? this.find(name) : undefined;
  }

  private unlockedUntil(name: string): number | undefined {
    if (!fs.existsSync(this.unlockFile)) return undefined;
    try {
      const u = JSON.parse(fs.readFileSync(this.unlockFile, 'utf8')) as UnlockFile;
      const until = Date.parse(u.until);
      return u.name === name && until > this.now() ? until : undefined;
    } catch {
      return undefined;
    }
  }

  mode(): ProfileMode {
    const p = this.active();
    if (!p) return { name: null, provider: 'local', production: false, readOnly: false, override: false };
    const until = p.production ? this.unlockedUntil(p.name) : undefined;
    return {
      name: p.name,
      provider: p.provider,
      production: p.production,
      readOnly: p.production && until === undefined,
      ...(until !== undefined ? { unlockedUntil: new Date(until).toISOString() } : {}),
      override: this.override !== undefined,
    };
  }

  private viewOf(p: Profile): ProfileView {
    const secretsSet = Object.fromEntries(
      SECRET_NAMES.map((s) => [s, Boolean(this.secrets.get(profileSecretKey(p.name, s)))]),
    ) as Record<ProfileSecretName, boolean>;
    return { profile: p, secretsSet };
  }

  view(): ProfilesView {
    const file = this.read();
    return { active: file.active, mode: this.mode(), profiles: file.profiles.map((p) => this.viewOf(p)) };
  }

  onChange(listener: (view: ProfilesView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): ProfilesView {
    const view = this.view();
    for (const l of this.listeners) l(view);
    return view;
  }

  /** Creates or replaces a profile; secrets given are stored, an empty string deletes one, absent keeps it. */
  save(profile: Profile, secrets: ProfileSecrets = {}): ProfilesView {
    const parsed = ProfileSchema.parse(profile);
    const file = this.read();
    const current = this.override ?? file.active;
    const existing = file.profiles.find((p) => p.name === parsed.name);
    // Turning production off is itself a write to a production profile: it needs the unlock.
    if (existing?.production && !parsed.production && current === parsed.name && this.mode().readOnly)
      throw this.readOnlyError(existing.name, 'profiles.save (production off)');
    file.profiles = [...file.profiles.filter((p) => p.name !== parsed.name), parsed].sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    this.write(file);
    for (const [name, value] of Object.entries(secrets) as Array<[ProfileSecretName, string | undefined]>)
      if (value !== undefined) this.secrets.set(profileSecretKey(parsed.name, name), value);
    return this.changed();
  }

  remove(name: string): ProfilesView {
    this.require(name);
    const file = this.read();
    if (this.override === name)
      throw new OpsError(
        'CONFLICT',
        `Profile "${name}" is in use by this process.`,
        'Run without --profile to remove it.',
      );
    file.profiles = file.profiles.filter((p) => p.name !== name);
    if (file.active === name) file.active = null;
    this.write(file);
    for (const s of SECRET_NAMES)
      if (this.secrets.get(profileSecretKey(name, s))) this.secrets.set(profileSecretKey(name, s), '');
    return this.changed();
  }

  /** Switches the saved choice (and this process, dropping a --profile override). */
  use(name: string | null): ProfilesView {
    if (name !== null) this.require(name);
    const file = this.read();
    file.active = name;
    this.write(file);
    this.override = undefined;
    this.lock();
    return this.changed();
  }

  unlock(name: string, confirm: string, minutes: number): ProfileMode {
    const p = this.require(name);
    if (confirm !== p.name)
      throw new OpsError(
        'INVALID_INPUT',
        `To unlock, type the profile's name exactly ("${p.name}"); "${confirm}" does not match.`,
        'Type the name of the production profile you mean to change.',
      );
    if (this.active()?.name !== p.name)
      throw new OpsError(
        'CONFLICT',
        `Profile "${p.name}" is not the one in use.`,
        'Switch to it first, then unlock it.',
      );
    if (!p.production)
      throw new OpsError(
        'CONFLICT',
        `Profile "${p.name}" is not production; it is not locked.`,
        'Nothing to unlock.',
      );
    const until = new Date(this.now() + minutes * 60_000).toISOString();
    writeFileAtomic(this.unlockFile, JSON.stringify({ name: p.name, until } satisfies UnlockFile), 0o600);
    this.changed();
    return this.mode();
  }

  lock(): ProfileMode {
    if (fs.existsSync(this.unlockFile)) fs.rmSync(this.unlockFile, { force: true });
    return this.mode();
  }

  private readOnlyError(name: string, op: string): OpsError {
    return new OpsError(
      'READ_ONLY',
      `Profile "${name}" is production and read-only: ${op} was refused.`,
      `Unlock it for a limited time by typing its name (Profiles → Unlock, or \`ops-console profile unlock ${name}\`), then try again.`,
      { profile: name, op },
    );
  }

  /** The router's write guard: refuses every write on a locked production profile. */
  guard(op: OperationName, input?: unknown): void {
    if (ALWAYS_ALLOWED(op, input)) return;
    const mode = this.mode();
    if (mode.readOnly && mode.name) throw this.readOnlyError(mode.name, op);
  }

  register(
    router: Router,
    /** skipProbe: why the integration probe may not run (the tested profile is read-only). */
    validate: (
      profile: Profile,
      integration: boolean,
      skipProbe?: string,
    ) => Promise<import('../api').ValidationReport>,
  ): void {
    router.register({
      'profiles.list': () => this.view(),
      'profiles.current': () => this.mode(),
      'profiles.save': ({ profile, secrets }) => this.save(profile, secrets),
      'profiles.remove': ({ name }) => this.remove(name),
      'profiles.use': ({ name }) => this.use(name),
      // The probe writes to the tested profile's Temporal: a locked production profile gets the other checks.
      'profiles.test': ({ name, integration }) => {
        const profile = this.require(name);
        const locked = profile.production && this.unlockedUntil(profile.name) === undefined;
        if (!integration || !locked) return validate(profile, integration);
        return validate(profile, false, `profile "${profile.name}" is production and read-only`);
      },
      'profiles.unlock': ({ name, confirm, minutes }) => this.unlock(name, confirm, minutes),
      'profiles.lock': () => {
        const mode = this.lock();
        this.changed();
        return mode;
      },
    });
  }
}
