// On a running embedded stack: service failures raised as alerts (an authentication-failure burst, a killed
// Temporal restarted by the crash watcher), and namespaces managed against the real server, embedded and attached.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsole, type WiredConsole } from '../../../main/console';
import type { ServiceAlert } from '../../../main/api/contract';
import { scratchHome } from '../../support/console-process';
import { freeStackSettings } from '../../support/stack-settings';

let ops: WiredConsole;
let home: string;
const raised: ServiceAlert[] = [];

async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  home = scratchHome(await freeStackSettings());
  ops = createConsole({ mode: 'cli', dataDir: home, env: {} });
  ops.router.events.subscribe((name, payload) => {
    if (name === 'service.alert') raised.push(payload as ServiceAlert);
  });
  await ops.router.invoke('stack.start', {});
}, 240_000);

afterAll(async () => {
  await ops?.router.invoke('stack.stop', {}).catch(() => undefined);
  await ops?.shutdown();
});

describe('service alerts', () => {
  it('raises a burst of authentication failures on app PostgreSQL with the lines and a fix', async () => {
    const spec = ops.stack.spec();
    const started = Date.now();
    for (let i = 0; i < 25; i++) {
      const client = new pg.Client({
        host: '127.0.0.1',
        port: spec.appPostgres.port,
        user: spec.appPostgres.user,
        password: 'not-the-password',
        database: spec.appPostgres.database,
      });
      await client.connect().then(
        () => client.end(),
        () => undefined,
      );
    }
    const alert = await waitFor('the auth-failures alert', () =>
      raised.find((a) => a.service === 'app-postgres' && a.kind === 'auth-failures'),
    );
    console.log(`auth-failures alert raised ${Date.now() - started} ms after the first attempt`);
    expect(alert.lines.some((l) => l.includes('password authentication failed'))).toBe(true);
    expect(alert.message).toMatch(/refused \d+ logins/);
    expect(alert.fix).toMatch(/right password/);
    const listed = await ops.router.invoke('stack.alerts', {});
    expect(listed.map((a) => a.id)).toContain(alert.id);
  });

  it('raises a killed Temporal as exited, restarts it by its policy and shows the count', async () => {
    const before = (await ops.router.invoke('stack.status', {})).services.find((s) => s.id === 'temporal')!;
    expect(before.restartPolicy).toMatch(/on failure/);
    expect(before.restarts).toBe(0);
    process.kill(before.pid!, 'SIGKILL');
    const exited = await waitFor('the exited alert', () =>
      raised.find((a) => a.service === 'temporal' && a.kind === 'exited'),
    );
    expect(exited.message).toMatch(/Restarting it in 1 s \(restart 1 of 5/);
    await waitFor(
      'the restarted alert',
      () => raised.find((a) => a.service === 'temporal' && a.kind === 'restarted'),
      120_000,
    );
    const after = (await ops.router.invoke('stack.status', {})).services.find((s) => s.id === 'temporal')!;
    expect(after.state).toBe('running');
    expect(after.pid).not.toBe(before.pid);
    expect(after.restarts).toBe(1);
    const ack = await ops.router.invoke('stack.acknowledgeAlerts', { ids: [exited.id] });
    expect(ack.acknowledged).toBe(1);
    expect((await ops.router.invoke('stack.alerts', {})).map((a) => a.id)).not.toContain(exited.id);
  });
});

describe('namespaces', () => {
  it('creates, lists, describes and updates a namespace on the real server', async () => {
    const created = await ops.router.invoke('namespaces.create', {
      name: 'billing-tests',
      retentionHours: 48,
      description: 'billing test cycles',
    });
    expect(created).toMatchObject({
      name: 'billing-tests',
      state: 'registered',
      retentionHours: 48,
      inUse: false,
    });
    const list = await ops.router.invoke('namespaces.list', {});
    expect(list.map((n) => n.name)).toEqual(expect.arrayContaining(['default', 'billing-tests']));
    expect(list.find((n) => n.name === 'default')?.inUse).toBe(true);
    const updated = await ops.router.invoke('namespaces.update', {
      name: 'billing-tests',
      retentionHours: 96,
    });
    expect(updated.retentionHours).toBe(96);
    expect((await ops.router.invoke('namespaces.describe', { name: 'billing-tests' })).description).toBe(
      'billing test cycles',
    );
    const again = await ops.router.call('namespaces.create', { name: 'billing-tests', retentionHours: 48 });
    expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const tooShort = await ops.router.call('namespaces.update', { name: 'billing-tests', retentionHours: 2 });
    expect(tooShort).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect((await ops.router.invoke('namespaces.describe', { name: 'billing-tests' })).retentionHours).toBe(
      96,
    );
  });

  it('applies the retention saved in Settings to the namespace the settings name', async () => {
    const watching = createConsole({ mode: 'browser', dataDir: home, env: {} });
    try {
      await watching.router.invoke('settings.update', { temporal: { namespaceRetentionH: 120 } });
      const deadline = Date.now() + 60_000;
      let retention = 0;
      while (Date.now() < deadline) {
        retention = (await ops.router.invoke('namespaces.describe', { name: 'default' })).retentionHours;
        if (retention === 120) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(retention).toBe(120);
    } finally {
      await watching.shutdown();
    }
  });

  it('lists through an attached read-only profile and refuses create and update there, audited', async () => {
    const spec = ops.stack.spec();
    await ops.router.invoke('profiles.save', {
      profile: {
        name: 'prod-attached',
        provider: 'attached',
        production: true,
        temporal: {
          address: `127.0.0.1:${spec.temporal.port}`,
          namespace: 'default',
          tls: { enabled: false },
        },
        appPostgres: {
          host: '127.0.0.1',
          port: spec.appPostgres.port,
          user: spec.appPostgres.user,
          database: spec.appPostgres.database,
          sslmode: 'disable',
        },
      },
      secrets: { appPostgresPassword: spec.appPostgres.password },
    });
    const prod = createConsole({ mode: 'cli', dataDir: home, env: {}, profile: 'prod-attached' });
    try {
      const list = await prod.router.invoke('namespaces.list', {});
      expect(list.map((n) => n.name)).toContain('billing-tests');
      const create = await prod.router.call('namespaces.create', { name: 'refused-one', retentionHours: 24 });
      expect(create).toMatchObject({ ok: false, error: { code: 'READ_ONLY' } });
      const update = await prod.router.call('namespaces.update', {
        name: 'billing-tests',
        retentionHours: 24,
      });
      expect(update).toMatchObject({ ok: false, error: { code: 'READ_ONLY' } });
      const audit = await prod.router.invoke('audit.list', { outcome: 'refused' });
      const ops_ = audit.entries.map((e) => `${e.op}:${e.profile}`);
      expect(ops_).toEqual(
        expect.arrayContaining(['namespaces.create:prod-attached', 'namespaces.update:prod-attached']),
      );
      expect((await ops.router.invoke('namespaces.describe', { name: 'billing-tests' })).retentionHours).toBe(
        96,
      );
    } finally {
      await prod.shutdown();
    }
  });
});
