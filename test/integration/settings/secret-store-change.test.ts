// A change of secret store between two launches never locks the operator out of a real stack (real PostgreSQL
// and Temporal): the passwords move with the store; a password that is truly lost is reported, never replaced,
// and the reset path (typed confirmation, the cluster's own superuser route) brings the stack back with its data.
//
// Electron's safeStorage cannot run here: a stand-in with the same four calls seals with AES-GCM under a key
// the test holds (the "keyring"); everything else is the desktop app's own code (openDesktopSecretStore).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createConsole, type WiredConsole } from '../../../main/console';
import { openDesktopSecretStore, type SafeStorageLike } from '../../../main/settings';
import { postgresUrl } from '../../../main/stack';
import { scratchHome } from '../../support/console-process';
import { freeStackSettings } from '../../support/stack-settings';

const keyring = crypto.randomBytes(32);
/** Stand-in for Electron's safeStorage (named as such: the Electron binary cannot run here). */
function standInSafeStorage(keyringAnswers: boolean, backend = 'gnome_libsecret'): SafeStorageLike {
  return {
    isEncryptionAvailable: () => keyringAnswers,
    getSelectedStorageBackend: () => backend,
    encryptString(plain) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', keyring, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decryptString(data) {
      const decipher = crypto.createDecipheriv('aes-256-gcm', keyring, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

const running: WiredConsole[] = [];
afterAll(async () => {
  for (const ops of running.splice(0)) {
    await ops.router.call('stack.stop', {});
    await ops.shutdown();
  }
});

/** One desktop launch: the store the app would choose, the console on it, the stack started. */
function launch(home: string, safeStorage: SafeStorageLike) {
  const store = openDesktopSecretStore(home, safeStorage, 'linux');
  const ops = createConsole({
    mode: 'cli',
    dataDir: home,
    env: {},
    secrets: store.secrets,
    secretStoreNotice: store.notice,
  });
  running.push(ops);
  return { ops, store };
}

async function close(ops: WiredConsole): Promise<void> {
  await ops.router.invoke('stack.stop', {});
  await ops.shutdown();
  running.splice(running.indexOf(ops), 1);
}

async function appRows(ops: WiredConsole): Promise<number> {
  const spec = ops.stack.spec();
  const client = new pg.Client({
    connectionString: postgresUrl(spec.appPostgres, spec.appPostgres.database),
  });
  await client.connect();
  try {
    await client.query('CREATE TABLE IF NOT EXISTS operator_notes (note text)');
    await client.query(`INSERT INTO operator_notes VALUES ('kept')`);
    return Number((await client.query('SELECT count(*) FROM operator_notes')).rows[0].count);
  } finally {
    await client.end();
  }
}

describe('secret store change between launches', () => {
  it('keeps the same passwords working when the store changes, reports a truly lost one and resets it', async () => {
    const home = scratchHome(await freeStackSettings());

    // Launch 1: no keyring answers → the 0600 file, said once in the log and in Settings.
    const first = launch(home, standInSafeStorage(false));
    expect(first.store.secrets.kind).toBe('file-0600');
    await first.ops.router.invoke('stack.start', {});
    expect(await appRows(first.ops)).toBe(1);
    const password = first.ops.stack.spec().appPostgres.password;
    const settings = await first.ops.router.invoke('settings.get', {});
    expect(settings.secretStore).toMatchObject({ kind: 'file-0600', lost: [] });
    expect(settings.secretStore?.notice).toContain('no keychain');
    expect(
      first.ops.logs.recent({ limit: 500 }).filter((l) => l.message.includes('no keychain')),
    ).toHaveLength(1);
    await close(first.ops);

    // Launch 2: a keyring answers → the passwords move into the sealed store and still open both clusters.
    const second = launch(home, standInSafeStorage(true));
    expect(second.store.secrets.kind).toBe('safe-storage');
    expect(second.store.moved).toEqual(
      expect.arrayContaining(['stack.appPostgres.password', 'stack.temporalPostgres.password']),
    );
    expect(fs.readFileSync(path.join(home, 'secrets.json'), 'utf8')).not.toContain(password);
    expect(fs.readFileSync(path.join(home, 'secrets.enc.json'), 'utf8')).not.toContain(password);
    await second.ops.router.invoke('stack.start', {});
    expect(second.ops.stack.spec().appPostgres.password).toBe(password);
    expect(await appRows(second.ops)).toBe(2);
    await close(second.ops);

    // Launch 3: only the basic_text fallback → refused as encrypted; the sealed passwords (still readable) move
    // back to the file, and the stack starts with them.
    const third = launch(home, standInSafeStorage(true, 'basic_text'));
    expect(third.store.secrets.kind).toBe('file-0600');
    expect(third.store.notice).toContain('fixed key');
    await third.ops.router.invoke('stack.start', {});
    expect(await appRows(third.ops)).toBe(3);
    await close(third.ops);

    // The file is lost and no keyring holds a copy: the password is truly lost. Nothing new is made.
    fs.rmSync(path.join(home, 'secrets.json'));
    const fourth = launch(home, standInSafeStorage(false));
    const refused = await fourth.ops.router.call('stack.start', {});
    expect(refused).toMatchObject({ ok: false, error: { code: 'SECRET_LOST' } });
    if (!refused.ok) {
      expect(refused.error.message).toContain('a new password would not open it');
      expect(refused.error.hint).toContain('reset-password');
    }
    expect(fs.existsSync(path.join(home, 'secrets.json'))).toBe(false);
    expect((await fourth.ops.router.invoke('settings.get', {})).secretStore?.lost).toEqual([
      'app-postgres',
      'temporal-postgres',
    ]);

    // The reset path: typed confirmation, then the cluster's own superuser route; the data is kept.
    expect(
      await fourth.ops.router.call('stack.resetPassword', { cluster: 'app-postgres', confirm: 'yes' }),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    for (const cluster of ['app-postgres', 'temporal-postgres'] as const)
      await fourth.ops.router.invoke('stack.resetPassword', { cluster, confirm: `reset ${cluster}` });
    await fourth.ops.router.invoke('stack.start', {});
    expect(fourth.ops.stack.spec().appPostgres.password).not.toBe(password);
    expect(await appRows(fourth.ops)).toBe(4);
    const audit = fourth.ops.audit.all().map((e) => `${e.op}:${e.outcome}`);
    expect(audit).toEqual(
      expect.arrayContaining(['stack.resetPassword:refused', 'stack.resetPassword:ok', 'stack.start:failed']),
    );
    await close(fourth.ops);
  });
});
