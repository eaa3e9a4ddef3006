import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsStore } from '../../../main/settings';
import { OpsError } from '../../../main/api/errors';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-settings-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('settings store', () => {
  it('starts from defaults without writing a file', () => {
    const store = new SettingsStore(dir, {});
    expect(store.get().temporal.host).toBe('127.0.0.1:7233');
    expect(fs.existsSync(store.file)).toBe(false);
  });

  it('persists a valid update and reads it back in a new store', () => {
    new SettingsStore(dir, {}).update({ temporal: { taskQueue: 'cycles' }, theme: 'dark' });
    const again = new SettingsStore(dir, {});
    expect(again.get().temporal.taskQueue).toBe('cycles');
    expect(again.get().theme).toBe('dark');
    expect(again.get().temporal.namespace).toBe('default');
    expect(fs.statSync(again.file).mode & 0o777).toBe(0o600);
  });

  it('refuses an invalid update and leaves the file as it was', () => {
    const store = new SettingsStore(dir, {});
    store.update({ temporal: { taskQueue: 'before' } });
    const before = fs.readFileSync(store.file, 'utf8');
    expect(() => store.update({ stack: { ports: { appPostgres: 80 } } })).toThrow(OpsError);
    expect(() => store.update({ stack: { ports: { appPostgres: 7233 } } })).toThrow(/own port/);
    expect(fs.readFileSync(store.file, 'utf8')).toBe(before);
    expect(store.get().stack.ports.appPostgres).toBe(5432);
  });

  it('hands each reader its own copy, and follows an update and a changed environment override', () => {
    const env: NodeJS.ProcessEnv = {};
    const store = new SettingsStore(dir, env);
    const first = store.get();
    first.temporal.taskQueue = 'changed by a reader';
    expect(store.get().temporal.taskQueue).not.toBe('changed by a reader');
    store.update({ temporal: { taskQueue: 'cycles' } });
    expect(store.get().temporal.taskQueue).toBe('cycles');
    env.TEMPORAL_HOST = '10.0.0.9:7233';
    expect(store.get().temporal.host).toBe('10.0.0.9:7233');
    delete env.TEMPORAL_HOST;
    expect(store.get().temporal.host).toBe('127.0.0.1:7233');
  });

  it('applies the TEMPORAL_* environment overrides and names them', () => {
    const store = new SettingsStore(dir, {
      TEMPORAL_HOST: 'temporal.internal:7233',
      TEMPORAL_WORKER_ENABLED: 'false',
    });
    const view = store.view();
    expect(view.settings.temporal.host).toBe('temporal.internal:7233');
    expect(view.settings.worker.enabled).toBe(false);
    expect(view.overrides).toEqual([
      { path: 'temporal.host', variable: 'TEMPORAL_HOST' },
      { path: 'worker.enabled', variable: 'TEMPORAL_WORKER_ENABLED' },
    ]);
  });

  it('does not persist environment overrides into the file', () => {
    const store = new SettingsStore(dir, { TEMPORAL_NAMESPACE: 'from-env' });
    store.update({ theme: 'light' });
    expect(JSON.parse(fs.readFileSync(store.file, 'utf8')).temporal.namespace).toBe('default');
  });

  it('reports an invalid environment override precisely', () => {
    const store = new SettingsStore(dir, { TEMPORAL_ACTIVITY_TIMEOUT: 'soon' });
    expect(() => store.view()).toThrow(/TEMPORAL_ACTIVITY_TIMEOUT/);
  });

  it('reports a corrupt settings file with its path', () => {
    fs.writeFileSync(path.join(dir, 'settings.json'), '{ not json');
    expect(() => new SettingsStore(dir, {})).toThrow(/settings\.json is not valid JSON/);
  });
});
