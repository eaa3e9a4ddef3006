// Read-only production at the router and the audit trail, through the API (no stack needed: the guard runs
// before any handler, and the audit store is a file in the data folder).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createConsole, type WiredConsole } from '../../../main/console';
import { scratchHome } from '../../support/console-process';

const consoles: WiredConsole[] = [];
function open(home: string, profile?: string): WiredConsole {
  const ops = createConsole({ mode: 'cli', dataDir: home, env: {}, ...(profile ? { profile } : {}) });
  consoles.push(ops);
  return ops;
}
afterEach(async () => {
  for (const ops of consoles.splice(0)) await ops.shutdown();
});

const prod = {
  name: 'prod-eu',
  provider: 'attached' as const,
  production: true,
  temporal: { address: '127.0.0.1:1', namespace: 'default', tls: { enabled: false } },
  appPostgres: { host: '127.0.0.1', port: 1, user: 'ops', sslmode: 'disable' as const },
};

const WRITES: Array<[string, unknown]> = [
  ['workflows.start', { cycleId: 1, reportIds: [1] }],
  ['workflows.signal', { workflowId: 'test-cycle-1', signal: 'approveScope', payload: {} }],
  ['inspection.terminate', { workflowId: 'test-cycle-1', reason: 'stuck in phase 3' }],
  ['workflows.cancel', { workflowId: 'test-cycle-1', reason: 'scope changed' }],
  ['worker.start', {}],
  ['worker.stop', {}],
  ['stack.start', {}],
  ['stack.stop', {}],
  ['settings.update', { worker: { autoApprove: true } }],
];

describe('production profile: read-only at the router', () => {
  it('refuses every write until unlocked by name, accepts them until the unlock expires, and audits all', async () => {
    const home = scratchHome();
    const ops = open(home);
    await ops.router.invoke('profiles.save', {
      profile: prod,
      secrets: { appPostgresPassword: 'hunter2-secret', apiKey: 'key-abc' },
    });
    // Secrets are in the secret store, never in the profile file.
    const profileFile = fs.readFileSync(path.join(home, 'profiles.json'), 'utf8');
    expect(profileFile).not.toContain('hunter2-secret');
    expect(fs.readFileSync(path.join(home, 'secrets.json'), 'utf8')).toContain('hunter2-secret');
    expect(fs.statSync(path.join(home, 'secrets.json')).mode & 0o777).toBe(0o600);

    const view = await ops.router.invoke('profiles.use', { name: 'prod-eu' });
    expect(view.mode).toMatchObject({ name: 'prod-eu', production: true, readOnly: true });

    for (const [op, input] of WRITES) {
      const res = await ops.router.call(op, input);
      expect(res.ok, op).toBe(false);
      if (!res.ok) {
        expect(res.error.code, op).toBe('READ_ONLY');
        expect(res.error.message).toContain('prod-eu');
      }
    }
    // The theme is this window's preference, not a change to the stack: allowed (and audited).
    expect((await ops.router.call('settings.update', { theme: 'dark' })).ok).toBe(true);
    // Reads still work.
    expect((await ops.router.call('profiles.current', {})).ok).toBe(true);
    expect((await ops.router.call('audit.list', {})).ok).toBe(true);

    // Unlock needs the exact name.
    const wrong = await ops.router.call('profiles.unlock', { name: 'prod-eu', confirm: 'prod' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const mode = await ops.router.invoke('profiles.unlock', {
      name: 'prod-eu',
      confirm: 'prod-eu',
      minutes: 5,
    });
    expect(mode.readOnly).toBe(false);
    expect(Date.parse(mode.unlockedUntil!)).toBeGreaterThan(Date.now());

    // Unlocked: the write reaches its handler (settings.update succeeds).
    expect((await ops.router.call('settings.update', { worker: { autoApprove: true } })).ok).toBe(true);
    // Another console process (the CLI) sees the same unlock.
    const cli = open(home, 'prod-eu');
    expect(cli.profiles.mode().readOnly).toBe(false);

    // The unlock expires: move its end into the past, as time passing would.
    const unlockFile = path.join(home, 'profile-unlock.json');
    const u = JSON.parse(fs.readFileSync(unlockFile, 'utf8')) as { name: string; until: string };
    fs.writeFileSync(unlockFile, JSON.stringify({ ...u, until: new Date(Date.now() - 1000).toISOString() }));
    expect(await ops.router.call('settings.update', { worker: { autoApprove: false } })).toMatchObject({
      ok: false,
      error: { code: 'READ_ONLY' },
    });
    // Locking by hand works too.
    await ops.router.invoke('profiles.unlock', { name: 'prod-eu', confirm: 'prod-eu' });
    await ops.router.invoke('profiles.lock', {});
    expect(await ops.router.call('worker.start', {})).toMatchObject({
      ok: false,
      error: { code: 'READ_ONLY' },
    });

    // The audit trail holds every action, survives a restart, and never holds a secret.
    await ops.shutdown();
    const again = open(home);
    const { entries, total } = await again.router.invoke('audit.list', { limit: 1000 });
    const raw = fs.readFileSync(path.join(home, 'audit.jsonl'), 'utf8');
    expect(raw).not.toContain('hunter2-secret');
    expect(raw).not.toContain('key-abc');
    expect(total).toBe(entries.length);
    const ops_ = entries.map((e) => `${e.op}:${e.outcome}`).reverse();
    expect(ops_).toEqual([
      'profiles.save:ok',
      'profiles.use:ok',
      ...WRITES.map(([op]) => `${op}:refused`),
      'settings.update:ok',
      'profiles.unlock:failed',
      'profiles.unlock:ok',
      'settings.update:ok',
      'settings.update:refused',
      'profiles.unlock:ok',
      'profiles.lock:ok',
      'worker.start:refused',
    ]);
    const refused = entries.find((e) => e.op === 'workflows.start')!;
    expect(refused).toMatchObject({ profile: 'prod-eu', production: true, via: 'cli', outcome: 'refused' });
    expect(refused.operator.length).toBeGreaterThan(0);
    expect(refused.error?.code).toBe('READ_ONLY');
    const save = entries.find((e) => e.op === 'profiles.save')!;
    expect(save.input).toMatchObject({
      secrets: { appPostgresPassword: '[redacted]', apiKey: '[redacted]' },
    });
    // profiles.use is recorded under the profile in force before the switch.
    expect(entries.find((e) => e.op === 'profiles.use')!.profile).toBeNull();

    // Filters and export.
    const onlyRefused = await again.router.invoke('audit.list', { outcome: 'refused' });
    expect(onlyRefused.entries.every((e) => e.outcome === 'refused')).toBe(true);
    expect(onlyRefused.total).toBe(WRITES.length + 2);
    const csv = await again.router.invoke('audit.export', { format: 'csv', op: 'workflows.' });
    expect(csv.count).toBe(3);
    const all = await again.router.invoke('audit.export', { format: 'jsonl' });
    expect(all.content.trim().split('\n')).toHaveLength(total);
    expect(csv.content.split('\n')[0]).toContain('operator');
  });

  it('a non-production profile and the embedded stack are not locked; --profile must name a profile', async () => {
    const home = scratchHome();
    const ops = open(home);
    await ops.router.invoke('profiles.save', { profile: { ...prod, name: 'staging', production: false } });
    await ops.router.invoke('profiles.use', { name: 'staging' });
    expect((await ops.router.call('settings.update', { theme: 'dark' })).ok).toBe(true);
    expect(() => open(home, 'nope')).toThrow(/no profile named "nope"/);
  });
});
