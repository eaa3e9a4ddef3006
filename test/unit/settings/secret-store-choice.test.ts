// The desktop app's choice of secret store, as a decision on what Electron reports. Electron's binary cannot
// run here, so this is a unit test on the decision (the shell passes safeStorage's answers to it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseSecretStore, FileSecretStore, moveSecrets } from '../../../main/settings';

describe('secret store decision (unit test on the decision: the Electron binary cannot run here)', () => {
  it('refuses the basic_text backend as encrypted, and says so', () => {
    const choice = chooseSecretStore({
      platform: 'linux',
      encryptionAvailable: true,
      linuxBackend: 'basic_text',
    });
    expect(choice.store).toBe('file-0600');
    expect(choice.notice).toContain('fixed key');
    expect(choice.notice).toContain('0600');
  });

  it('refuses an unknown backend, and no encryption at all', () => {
    expect(
      chooseSecretStore({ platform: 'linux', encryptionAvailable: true, linuxBackend: 'unknown' }).store,
    ).toBe('file-0600');
    const none = chooseSecretStore({ platform: 'linux', encryptionAvailable: false });
    expect(none).toMatchObject({ store: 'file-0600' });
    expect(none.notice).toContain('no keychain');
  });

  it('uses a real keyring, and the system keychain elsewhere, without a notice', () => {
    for (const linuxBackend of ['gnome_libsecret', 'kwallet5', 'kwallet6'])
      expect(chooseSecretStore({ platform: 'linux', encryptionAvailable: true, linuxBackend })).toEqual({
        store: 'safe-storage',
      });
    expect(chooseSecretStore({ platform: 'darwin', encryptionAvailable: true })).toEqual({
      store: 'safe-storage',
    });
    expect(chooseSecretStore({ platform: 'win32', encryptionAvailable: true })).toEqual({
      store: 'safe-storage',
    });
  });
});

describe('moving secrets between stores', () => {
  it('moves what the chosen store lacks, removes the old copy, keeps both when they differ', () => {
    const a = new FileSecretStore(fs.mkdtempSync(path.join(os.tmpdir(), 'ops-sec-a-')));
    const b = new FileSecretStore(fs.mkdtempSync(path.join(os.tmpdir(), 'ops-sec-b-')));
    a.set('one', '1');
    a.set('two', '2');
    a.set('three', 'old');
    b.set('three', 'new');
    expect(moveSecrets(a, b)).toEqual({ moved: ['one', 'two'], unreadable: [] });
    expect([b.get('one'), b.get('two'), b.get('three')]).toEqual(['1', '2', 'new']);
    expect(a.names()).toEqual(['three']);
  });
});
