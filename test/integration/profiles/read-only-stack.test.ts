// Read-only against a real stack (real PostgreSQL and Temporal): Validate on a locked production profile runs
// its read-only checks and starts no workflow; scheduled backups and retention go through the router as the
// scheduler, are audited, and are refused on a locked profile like an operator's.
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsole, type WiredConsole } from '../../../main/console';
import { scratchHome } from '../../support/console-process';
import { freeStackSettings } from '../../support/stack-settings';
import { waitFor } from '../../support/cycle-stack';

let ops: WiredConsole;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  const free = await freeStackSettings();
  ops = createConsole({
    mode: 'browser',
    dataDir: scratchHome({ ...free, worker: { enabled: false } }),
    env: {},
  });
  await ops.router.invoke('stack.start', {});
  const spec = ops.stack.spec();
  // The same stack, seen as an attached production cluster.
  await ops.router.invoke('profiles.save', {
    profile: {
      name: 'prod-here',
      provider: 'attached',
      production: true,
      temporal: {
        address: `127.0.0.1:${spec.temporal.port}`,
        namespace: spec.temporal.namespace,
        tls: { enabled: false },
      },
      appPostgres: {
        host: '127.0.0.1',
        port: spec.appPostgres.port,
        user: spec.appPostgres.user,
        sslmode: 'disable',
      },
    },
    secrets: { appPostgresPassword: spec.appPostgres.password },
  });
  connection = await Connection.connect({ address: `127.0.0.1:${spec.temporal.port}` });
  client = new Client({ connection, namespace: spec.temporal.namespace });
});

afterAll(async () => {
  await connection?.close();
  await ops?.router.call('profiles.use', { name: null });
  await ops?.router.call('stack.stop', {});
  await ops?.shutdown();
});

async function validationWorkflows(): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of client.workflow.list({ query: `WorkflowType = 'OpsConsoleValidation'` }))
    ids.push(wf.workflowId);
  return ids.sort();
}

describe('read-only against a real stack', () => {
  it('validates a locked production profile without starting a workflow, and says the probe was skipped and why', async () => {
    const before = await validationWorkflows();
    await ops.router.invoke('profiles.use', { name: 'prod-here' });
    expect(ops.profiles.mode().readOnly).toBe(true);

    const locked = await ops.router.invoke('stack.validate', {});
    const probe = locked.checks.find((c) => c.id === 'integration.workflow')!;
    expect(probe).toMatchObject({ status: 'skipped' });
    expect(probe.detail).toContain('starts and terminates a workflow');
    expect(probe.detail).toContain('"prod-here") is read-only');
    // The read-only checks ran and passed.
    expect(locked.checks.find((c) => c.id === 'temporal.grpc')?.status).toBe('healthy');
    expect(locked.checks.filter((c) => c.group === 'app-postgres').every((c) => c.status === 'healthy')).toBe(
      true,
    );
    expect(locked.overall).toBe('healthy');
    // A skipped probe is not a write: nothing in the audit trail for it.
    expect(ops.audit.all().filter((e) => e.op === 'stack.validate')).toEqual([]);

    // The same validation on the embedded (unlocked) stack runs the probe: one workflow, audited.
    await ops.router.invoke('profiles.use', { name: null });
    const open = await ops.router.invoke('stack.validate', {});
    const ran = open.checks.find((c) => c.id === 'integration.workflow')!;
    expect(ran.status).toBe('healthy');
    const started = /(ops-console-validate-\S+)/.exec(ran.detail)![1]!;
    await waitFor(
      async () => (await validationWorkflows()).includes(started),
      60_000,
      'the probe to be listed',
    );
    // Counted on the cluster: exactly the unlocked probe's workflow was added.
    expect(await validationWorkflows()).toEqual([...before, started].sort());
    expect(ops.audit.all().filter((e) => e.op === 'stack.validate')).toMatchObject([{ outcome: 'ok' }]);
  });

  it('runs scheduled backups and retention through the router as the scheduler, and a locked profile refuses them once', async () => {
    await ops.router.invoke('backups.schedule.set', {
      enabled: true,
      everyHours: 0.01,
      kinds: ['app'],
      keepLast: 1,
    });
    const scheduled = await ops.backups.scheduledTick();
    expect(scheduled?.id).toBeTruthy();
    // The operator's own backup: retention (keep the last one) then removes the scheduled set, as the scheduler.
    await ops.router.invoke('backups.create', { kinds: ['app'], label: 'by hand' });
    const sets = await ops.router.invoke('backups.list', {});
    expect(sets.map((s) => s.id)).not.toContain(scheduled!.id);

    const byScheduler = ops.audit.all().filter((e) => e.operator === 'scheduler');
    expect(byScheduler.map((e) => `${e.op}:${e.outcome}:${e.via}`)).toEqual([
      'backups.create:ok:scheduler',
      'backups.applyRetention:ok:scheduler',
    ]);
    const operatorBackup = ops.audit
      .all()
      .find((e) => e.op === 'backups.create' && e.operator !== 'scheduler');
    expect(operatorBackup?.outcome).toBe('ok');

    // On a locked production profile the scheduler is refused like anyone, audited once, then not asked again.
    // No set left: the next scheduled backup is due at once.
    for (const set of await ops.router.invoke('backups.list', {}))
      await ops.router.invoke('backups.remove', { setId: set.id });
    await ops.router.invoke('profiles.use', { name: 'prod-here' });
    expect(await ops.backups.scheduledTick()).toBeUndefined();
    expect(await ops.backups.scheduledTick()).toBeUndefined();
    const refused = ops.audit.all().filter((e) => e.operator === 'scheduler' && e.outcome === 'refused');
    expect(refused).toMatchObject([
      { op: 'backups.create', profile: 'prod-here', error: { code: 'READ_ONLY' } },
    ]);
    await ops.router.invoke('profiles.use', { name: null });
  });
});
