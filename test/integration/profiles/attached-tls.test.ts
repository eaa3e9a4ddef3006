// The attached provider against real parts: Temporal as four separate services with mutual TLS, and an app
// Postgres that requires SSL. The console attaches with a production profile, validates, is refused every
// write until unlocked, runs and inspects a cycle, refuses to start or stop that stack, and explains a wrong
// CA, a wrong client certificate and a bad password precisely. The audit trail holds every action.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createConsole, type WiredConsole } from '../../../main/console';
import { postgresUrl } from '../../../main/stack';
import type { StackProvider, StackSpec } from '../../../main/stack/provider';
import type { Profile, ProfileSecrets } from '../../../main/api/contract';
import { scratchHome } from '../../support/console-process';
import { freeStackSettings } from '../../support/stack-settings';
import { outcome, waitFor } from '../../support/cycle-stack';
import {
  generateCerts,
  requireSsl,
  startTemporalCluster,
  type Certs,
  type TemporalCluster,
} from '../../support/tls-cluster';

let base: WiredConsole; // runs the Postgres clusters the "remote" stack lives on
let ops: WiredConsole; // the console under test, attached
let certs: Certs;
let cluster: TemporalCluster | undefined;
let spec: StackSpec;

function profile(name: string, over: Partial<Profile> = {}): Profile {
  return {
    name,
    provider: 'attached',
    production: false,
    temporal: {
      address: cluster!.frontend,
      namespace: spec.temporal.namespace,
      taskQueue: 'attached-tls-queue',
      tls: { enabled: true, serverName: 'localhost', ca: certs.ca, clientCert: certs.clientCert },
    },
    appPostgres: {
      host: '127.0.0.1',
      port: spec.appPostgres.port,
      database: spec.appPostgres.database,
      user: spec.appPostgres.user,
      sslmode: 'verify-full',
      ca: certs.ca,
    },
    temporalPostgres: {
      host: '127.0.0.1',
      port: spec.temporalPostgres.port,
      user: spec.temporalPostgres.user,
      sslmode: 'disable',
    },
    ...over,
  };
}

const goodSecrets = (): ProfileSecrets => ({
  appPostgresPassword: spec.appPostgres.password,
  temporalPostgresPassword: spec.temporalPostgres.password,
  tlsClientKey: certs.clientKey,
});

beforeAll(async () => {
  certs = generateCerts();
  base = createConsole({ mode: 'cli', dataDir: scratchHome(await freeStackSettings()), env: {} });
  await base.router.invoke('stack.start', {});
  spec = base.stack.spec();
  await requireSsl(postgresUrl(spec.appPostgres, spec.appPostgres.database), certs);
  // The single-process server of the embedded stack steps aside; the same persistence serves the cluster.
  const provider = await (
    base.stack as unknown as { currentProvider(): Promise<StackProvider> }
  ).currentProvider();
  await provider.stopService!('temporal');
  cluster = await startTemporalCluster(spec, certs);
  ops = createConsole({
    mode: 'browser',
    dataDir: scratchHome({ temporal: { activityTimeoutS: 5 }, worker: { retryBaseMs: 200 } }),
    env: {},
  });
});

afterAll(async () => {
  await ops?.router.call('profiles.unlock', { name: 'cluster', confirm: 'cluster' });
  await ops?.router.call('worker.stop', {});
  await ops?.shutdown();
  await cluster?.stop();
  await base?.router.call('stack.stop', {});
  await base?.shutdown();
});

describe('attached to a multi-service Temporal over mTLS and a Postgres that requires SSL', () => {
  it('the app Postgres really refuses a connection without SSL', async () => {
    const plain = new pg.Client({
      connectionString: postgresUrl(spec.appPostgres, spec.appPostgres.database),
    });
    await expect(plain.connect()).rejects.toThrow(/no pg_hba.conf entry|SSL off|no encryption/);
  });

  it('validates, refuses writes while production, runs and inspects a cycle after unlock, never starts or stops the stack', async () => {
    await ops.router.invoke('profiles.save', {
      profile: profile('cluster', { production: true }),
      secrets: goodSecrets(),
    });
    const view = await ops.router.invoke('profiles.use', { name: 'cluster' });
    expect(view.mode).toMatchObject({
      name: 'cluster',
      production: true,
      readOnly: true,
      provider: 'attached',
    });

    const report = await ops.router.invoke('profiles.test', { name: 'cluster', integration: true });
    const failed = report.checks.filter((c) => c.status === 'failed');
    expect(failed, JSON.stringify(failed)).toEqual([]);
    expect(report.checks.find((c) => c.id === 'app-postgres.login')!.detail).toMatch(/PostgreSQL 15/);
    // While the profile is read-only the probe that starts a workflow is skipped, and says why.
    const probe = report.checks.find((c) => c.id === 'integration.workflow')!;
    expect(probe.status).toBe('skipped');
    expect(probe.detail).toMatch(/read-only/);
    // stack.validate looks at the profile in force.
    expect((await ops.router.invoke('stack.validate', { integration: false })).overall).not.toBe('failed');

    const status = await ops.router.invoke('stack.status', {});
    expect(status.provider).toBe('attached');
    const byId = Object.fromEntries(status.services.map((s) => [s.id, s]));
    expect(byId['app-postgres']).toMatchObject({ state: 'running', health: 'healthy' });
    expect(byId['app-postgres']!.message).toMatch(/ssl verify-full/);
    expect(byId.temporal).toMatchObject({ state: 'running', health: 'healthy' });
    expect(byId.temporal!.message).toMatch(/TLS/);

    // Production: every write refused at the router.
    for (const [op, input] of [
      ['worker.start', {}],
      ['workflows.createDemoData', { reports: 2 }],
      ['workflows.start', { cycleId: 801, reportIds: [1, 2], autoApprove: true }],
      ['stack.start', {}],
      ['stack.migrateAppDb', {}],
    ] as const) {
      expect(await ops.router.call(op, input), op).toMatchObject({ ok: false, error: { code: 'READ_ONLY' } });
    }

    await ops.router.invoke('profiles.unlock', { name: 'cluster', confirm: 'cluster', minutes: 30 });
    const unlocked = await ops.router.invoke('profiles.test', { name: 'cluster', integration: true });
    expect(unlocked.checks.find((c) => c.id === 'integration.workflow')!.status).toBe('healthy');
    // Start and stop are not offered for an attached stack; the console says why.
    for (const op of ['stack.start', 'stack.stop'] as const) {
      const res = await ops.router.call(op, {});
      expect(res).toMatchObject({ ok: false, error: { code: 'NOT_SUPPORTED' } });
      if (!res.ok) expect(res.error.message).toMatch(/profile "cluster" runs elsewhere/);
    }

    // The app database already holds the console's schema (checked by the validation): nothing to apply.
    expect(report.checks.find((c) => c.id === 'app-postgres.schema')!.status).toBe('healthy');
    expect((await ops.router.invoke('stack.migrateAppDb', {})).applied).toEqual([]);

    const worker = await ops.router.invoke('worker.start', {});
    expect(worker.taskQueue).toBe('attached-tls-queue');
    await waitFor(() => ops.worker.current().state === 'running', 60_000, 'the worker to poll over TLS');
    await ops.router.invoke('workflows.createDemoData', { reports: 2 });
    const started = await ops.router.invoke('workflows.start', {
      cycleId: 801,
      reportIds: [1, 2],
      autoApprove: true,
    });
    const done = await outcome(ops, started.workflowId);
    expect(done.ok, done.ok ? '' : done.error.message).toBe(true);

    const phases = (await ops.router.invoke('inspection.phases', { workflowId: started.workflowId })) as {
      status: string;
      phases: Array<{ state: string }>;
    };
    expect(phases.status).toBe('completed');
    const list = (await ops.router.invoke('inspection.list', {})) as { rows: Array<{ workflowId: string }> };
    expect(list.rows.map((r) => r.workflowId)).toContain(started.workflowId);
    const history = (await ops.router.invoke('inspection.history', { workflowId: started.workflowId })) as {
      events: unknown[];
    };
    expect(history.events.length).toBeGreaterThan(10);
  });

  it('a wrong CA, a wrong client certificate and a bad password each give a precise error', async () => {
    const t = profile('x').temporal!;
    await ops.router.invoke('profiles.save', {
      profile: profile('wrong-ca', { temporal: { ...t, tls: { ...t.tls, ca: certs.rogueCa } } }),
      secrets: goodSecrets(),
    });
    await ops.router.invoke('profiles.save', {
      profile: profile('wrong-client', {
        temporal: { ...t, tls: { ...t.tls, clientCert: certs.rogueClientCert } },
      }),
      secrets: { ...goodSecrets(), tlsClientKey: certs.rogueClientKey },
    });
    await ops.router.invoke('profiles.save', {
      profile: profile('bad-password'),
      secrets: { ...goodSecrets(), appPostgresPassword: 'not-the-password' },
    });
    await ops.router.invoke('profiles.save', {
      profile: profile('pg-wrong-ca', { appPostgres: { ...profile('x').appPostgres!, ca: certs.rogueCa } }),
      secrets: goodSecrets(),
    });
    const check = async (name: string, id: string) => {
      const report = await ops.router.invoke('profiles.test', { name, integration: false });
      const c = report.checks.find((x) => x.id === id)!;
      expect(c.status, `${name} ${id}`).toBe('failed');
      return c;
    };
    const wrongCa = await check('wrong-ca', 'temporal.grpc');
    expect(wrongCa.detail).toMatch(/TLS certificate is not signed by the CA in the profile/);
    expect(wrongCa.fix).toMatch(/CA that signed the server certificate/);
    const wrongClient = await check('wrong-client', 'temporal.grpc');
    expect(wrongClient.detail).toMatch(/does not accept the client certificate/);
    const badPassword = await check('bad-password', 'app-postgres.login');
    expect(badPassword.detail).toMatch(/password authentication failed for user "ops"/);
    expect(badPassword.fix).toMatch(/right password/);
    const pgWrongCa = await check('pg-wrong-ca', 'app-postgres.login');
    expect(pgWrongCa.detail).toMatch(/not signed by the CA in the profile/);
  });

  it('the audit trail holds every action of these tests', async () => {
    const { entries } = await ops.router.invoke('audit.list', { limit: 1000 });
    const seen = entries.map((e) => `${e.op}:${e.outcome}`);
    for (const expected of [
      'profiles.save:ok',
      'profiles.use:ok',
      'worker.start:refused',
      'workflows.createDemoData:refused',
      'workflows.start:refused',
      'stack.start:refused',
      'profiles.unlock:ok',
      'stack.start:failed',
      'stack.stop:failed',
      'worker.start:ok',
      'workflows.createDemoData:ok',
      'workflows.start:ok',
    ])
      expect(seen, expected).toContain(expected);
    expect(entries.filter((e) => e.op === 'profiles.save')).toHaveLength(5);
    const start = entries.find((e) => e.op === 'workflows.start' && e.outcome === 'ok')!;
    expect(start).toMatchObject({ profile: 'cluster', production: true, via: 'browser' });
    expect(JSON.stringify(entries)).not.toContain('PRIVATE KEY');
    expect(JSON.stringify(entries)).not.toContain(spec.appPostgres.password);
  });

  it('switching to another profile drains the worker (it never polls one stack while the console looks at another)', async () => {
    expect(ops.worker.current().state).toBe('running');
    await ops.router.invoke('profiles.use', { name: null });
    await waitFor(() => ops.worker.current().state === 'stopped', 60_000, 'the worker to drain');
    expect(ops.stack.spec().provider).toBe('local');
    await ops.router.invoke('profiles.use', { name: 'cluster' });
  });
});
