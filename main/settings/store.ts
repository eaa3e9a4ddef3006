// Settings persisted as a validated JSON file in the console's data folder, with env overrides on top.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './atomic-file';
import { OpsError } from '../api';
import { SettingsSchema, type Settings, type SettingsPatch, type SettingsView } from '../api';
import { DEFAULT_SETTINGS, ENV_OVERRIDES } from './defaults';

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge<T>(base: T, patch: unknown): T {
  if (!isPlain(base) || !isPlain(patch)) return (patch === undefined ? base : patch) as T;
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    out[key] = deepMerge(out[key], value);
  }
  return out as T;
}

function setPath(target: Plain, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = node[key] as Plain;
  node[keys[keys.length - 1] as string] = value;
}

export class SettingsStore {
  readonly file: string;
  private stored: Settings;
  /** How many changes this store has saved (see revision). */
  private saved = 0;
  private readonly env: NodeJS.ProcessEnv;

  constructor(dataDir: string, env: NodeJS.ProcessEnv = process.env) {
    this.file = path.join(dataDir, 'settings.json');
    this.env = env;
    this.stored = this.load();
  }

  private load(): Settings {
    if (!fs.existsSync(this.file)) return structuredClone(DEFAULT_SETTINGS);
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch (err) {
      throw new OpsError(
        'INVALID_INPUT',
        `The settings file ${this.file} is not valid JSON: ${(err as Error).message}`,
        'Fix the file by hand, or move it aside to start from the defaults.',
      );
    }
    // Missing keys (a file from an older console) take their defaults; wrong values are refused.
    const parsed = SettingsSchema.safeParse(deepMerge(structuredClone(DEFAULT_SETTINGS), raw));
    if (!parsed.success) {
      throw new OpsError(
        'INVALID_INPUT',
        `The settings file ${this.file} has invalid values: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        'Fix the values named, or move the file aside to start from the defaults.',
      );
    }
    return parsed.data;
  }

  /** The last view, with the environment overrides it was made from (every status read asks for it). */
  private cached: { key: string; view: SettingsView } | undefined;

  /** The settings in force: the stored file with environment overrides applied (a copy the caller may change). */
  view(): SettingsView {
    const key = ENV_OVERRIDES.map((o) => this.env[o.variable] ?? '').join('\0');
    if (this.cached?.key !== key) this.cached = { key, view: this.freshView() };
    return structuredClone(this.cached.view);
  }

  private freshView(): SettingsView {
    const effective = structuredClone(this.stored) as unknown as Plain;
    const overrides: SettingsView['overrides'] = [];
    for (const o of ENV_OVERRIDES) {
      const raw = this.env[o.variable];
      if (raw === undefined || raw === '') continue;
      setPath(effective, o.path, o.parse(raw));
      overrides.push({ path: o.path, variable: o.variable });
    }
    const parsed = SettingsSchema.safeParse(effective);
    if (!parsed.success) {
      const names = overrides.map((o) => o.variable).join(', ');
      throw new OpsError(
        'INVALID_INPUT',
        `An environment override is invalid (${names}): ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        'Correct or unset the environment variable and restart the console.',
      );
    }
    return { settings: parsed.data, overrides, file: this.file };
  }

  get(): Settings {
    return this.view().settings;
  }

  /** Changes whenever the settings in force may have (a saved change, an environment override): cheap to ask. */
  revision(): string {
    return `${this.saved}\0${ENV_OVERRIDES.map((o) => this.env[o.variable] ?? '').join('\0')}`;
  }

  /** Validates the merged result before anything is written: a bad patch changes nothing. */
  update(patch: SettingsPatch): SettingsView {
    const merged = deepMerge(structuredClone(this.stored), patch);
    const parsed = SettingsSchema.safeParse(merged);
    if (!parsed.success) {
      throw new OpsError(
        'INVALID_INPUT',
        `Invalid settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        'Correct the fields named; nothing was saved.',
        { issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) },
      );
    }
    writeFileAtomic(this.file, JSON.stringify(parsed.data, null, 2) + '\n');
    this.stored = parsed.data;
    this.saved++;
    this.cached = undefined;
    return this.view();
  }
}
