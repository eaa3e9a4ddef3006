// Point-in-time recovery on the Docker provider (private engine, host network): both Postgres containers archive
// complete segments into the stack's archive volume, base backups run inside the containers, both databases come
// back to a moment between two writes on fresh data volumes (the previous ones kept), retention keeps what the
// kept base backups need, and a failing archive is reported.
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsole, type WiredConsole } from '../../../main/console';
import type { StackSpec } from '../../../main/stack/provider';
import { DockerProvider } from '../../../main/stack/docker/provider';
import { execIn } from '../../../main/stack/docker/wal';
import {
  LABEL_HELPER,
  dockerRecoveryDriver,
  hasInterruptedRecovery,
  rollBackDockerRecovery,
} from '../../../main/stack/docker/recovery';
import { PITR_MOUNT } from '../../../main/stack/docker/containers';
import { allocateTemporalPorts, writeTemporalConfig } from '../../../main/stack/local/temporal-config';
import { scratchHome } from '../../support/console-process';
import { buildTestImages, startTestEngine, type TestEngine } from '../../support/docker-engine';
import { freeStackSettings } from '../../support/stack-settings';
import { appRows } from '../../support/app-db';
import { exited } from '../../support/cli';

const MINUTE = 60_000;
const ARCHIVING = { enabled: true, segmentTimeoutS: 60, baseBackupEveryH: 0, keepBaseBackups: 2 };
let engine: TestEngine;
let home: string;
let temporal: { binds: string[] };
let ops: WiredConsole;
let provider: DockerProvider;
let spec: StackSpec;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const app = <T>(sql: string) => appRows<T>(spec, sql);

const health = async (cluster: string) =>
  (await ops.router.invoke('recovery.status', {})).find((c) => c.cluster === cluster)!;

beforeAll(async () => {
  // The recovery's child process loads the benchmarks' build of the back end (dist-bench/, never shipped).
  execFileSync(process.execPath, ['build.mjs', 'bench'], { stdio: 'inherit' });
  engine = await startTestEngine();
  const images = await buildTestImages(engine);
  const docker = {
    socketPath: engine.socketPath,
    network: 'host' as const,
    images: {
      appPostgres: images.postgres,
      temporalPostgres: images.postgres,
      temporal: images.temporal,
      ui: 'ops-test/unused-ui',
    },
  };
  home = scratchHome({
    stack: { ...(await freeStackSettings()).stack, provider: 'docker', docker, archiving: ARCHIVING },
  });
  // The test's Temporal image reads its config from a mount: the console runs it so (a recovery restarts it).
  temporal = { binds: [`${path.join(home, 'temporal', 'config')}:/etc/temporal/config:ro`] };
  ops = createConsole({ mode: 'cli', dataDir: home, env: {}, dockerTemporal: temporal });
  spec = ops.stack.spec();
  const ports = await allocateTemporalPorts(spec.temporal.port, crypto.randomInt(12_000));
  writeTemporalConfig(path.join(home, 'temporal'), spec, ports);
  // The same plan as the console's: the test reaches into the containers and removes the stack with it.
  provider = new DockerProvider(spec, docker, { env: {}, archiving: ARCHIVING, temporal });
  await ops.router.invoke('stack.start', {});
  await app('CREATE TABLE pitr_marks (note text PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())');
}, 20 * MINUTE);

afterAll(async () => {
  await ops?.shutdown();
  await provider?.remove({ deleteVolumes: true }).catch(() => undefined);
  await engine?.stop();
}, 2 * MINUTE);

describe('continuous archiving on the Docker provider', () => {
  it(
    'runs both Postgres containers with archiving into the archive volume and takes base backups inside them',
    async () => {
      const container = await provider.serviceContainer('app-postgres');
      const settings = await execIn(
        container,
        [
          'psql',
          '-h',
          '127.0.0.1',
          '-p',
          String(spec.appPostgres.port),
          '-U',
          spec.appPostgres.user,
          '-d',
          'postgres',
          '-Atc',
          'SHOW archive_mode',
        ],
        { env: { PGPASSWORD: spec.appPostgres.password } },
      );
      expect(settings.stdout.trim()).toBe('on');
      await app(`INSERT INTO pitr_marks (note) VALUES ('first')`);

      const taken = await ops.router.invoke('recovery.baseBackup', {});
      expect(taken.map((b) => b.cluster).sort()).toEqual(['app-postgres', 'temporal-postgres']);
      for (const b of taken) expect(b.bytes).toBeGreaterThan(1_000_000);

      for (const cluster of ['app-postgres', 'temporal-postgres']) {
        const h = await health(cluster);
        expect(h.enabled).toBe(true);
        expect(h.problem).toBeUndefined();
        expect(h.baseBackups).toBe(1);
        expect(h.lastArchivedWal).toMatch(/^[0-9A-F]{24}/); // a segment, or a base backup's history file
        expect(h.segments).toBeGreaterThan(0);
        expect(h.archiveBytes).toBeGreaterThan(0);
        expect(h.oldestRecoverable).toBe(taken.find((b) => b.cluster === cluster)!.finishedAt);
      }
      // Only complete segments are in the archive: whole 16 MB files, no half-copied `.part` left.
      const listing = await execIn(container, ['ls', '-l', `${PITR_MOUNT}/app-postgres/wal`]);
      const files = listing.stdout.split('\n').filter((l) => /[0-9A-F]{24}$/.test(l));
      expect(files.length).toBeGreaterThan(0);
      for (const line of files) expect(line.split(/\s+/)[4]).toBe(String(16 * 1024 * 1024));
      expect(listing.stdout).not.toContain('.part');
    },
    5 * MINUTE,
  );

  it(
    'recovers both databases to a moment between two writes on fresh data volumes, keeping the previous ones',
    async () => {
      await app(`INSERT INTO pitr_marks (note) VALUES ('before')`);
      await sleep(1_100);
      const moment = new Date().toISOString();
      await sleep(1_100);
      await app(`INSERT INTO pitr_marks (note) VALUES ('after')`);

      const plan = await ops.router.invoke('recovery.check', { to: moment });
      expect(plan.ok, JSON.stringify(plan)).toBe(true);
      const result = await ops.router.invoke('recovery.recover', {
        to: moment,
        inclusive: true,
        confirm: true,
      });
      expect(result.validation).not.toBe('failed');
      expect(await app(`SELECT note FROM pitr_marks ORDER BY note`)).toEqual([
        { note: 'before' },
        { note: 'first' },
      ]);
      for (const c of result.clusters) {
        if (c.reachedAt) expect(Date.parse(c.reachedAt)).toBeLessThanOrEqual(Date.parse(moment));
        // The previous data stays, untouched, in its volume until the operator removes it.
        const previous = /^volume (\S+)$/.exec(c.oldDataDir)![1]!;
        await engine.docker.getVolume(previous).inspect();
        const container = await provider.serviceContainer(c.cluster as 'app-postgres' | 'temporal-postgres');
        const mounts = (await container.inspect()).Mounts.map((m) => m.Name);
        expect(mounts).not.toContain(previous);
      }
      const services = await provider.services();
      expect(services.filter((s) => s.state === 'running').map((s) => s.id)).toEqual([
        'app-postgres',
        'temporal-postgres',
        'temporal',
      ]);
      // The recovered clusters archive on their new timeline, and a base backup of them can be taken.
      await app(`INSERT INTO pitr_marks (note) VALUES ('after recovery')`);
      await ops.router.invoke('recovery.baseBackup', {});
      const later = await ops.router.invoke('recovery.check', { to: new Date().toISOString() });
      expect(later.ok, JSON.stringify(later)).toBe(true);
      for (const cluster of ['app-postgres', 'temporal-postgres'])
        expect((await health(cluster)).problem).toBeUndefined();
    },
    5 * MINUTE,
  );

  it(
    'keeps the newest base backups and every segment the oldest kept one needs',
    async () => {
      for (let i = 0; i < 2; i++) {
        await app(`INSERT INTO pitr_marks (note) VALUES ('retention ${i}')`);
        await ops.router.invoke('recovery.baseBackup', {});
      }
      const timeline = await ops.router.invoke('recovery.timeline', {});
      for (const cluster of ['app-postgres', 'temporal-postgres']) {
        const kept = timeline.baseBackups.filter((b) => b.cluster === cluster);
        expect(kept).toHaveLength(ARCHIVING.keepBaseBackups);
        expect((await health(cluster)).oldestRecoverable).toBe(kept[0]!.finishedAt);
      }
      for (const c of timeline.clusters) expect(c.gaps).toEqual([]);
      const plan = await ops.router.invoke('recovery.check', { to: new Date().toISOString() });
      expect(plan.ok, JSON.stringify(plan)).toBe(true);
    },
    5 * MINUTE,
  );

  it(
    'reports an archive folder it cannot write to, and archives again once it can',
    async () => {
      const container = await provider.serviceContainer('app-postgres');
      const wal = `${PITR_MOUNT}/app-postgres/wal`;
      const before = await health('app-postgres');
      await execIn(container, ['chmod', '000', wal], { user: 'root' });
      try {
        await app('SELECT txid_current()');
        await app('SELECT pg_switch_wal()');
        let h = before;
        for (let i = 0; i < 600 && h.problem === undefined; i++) {
          await sleep(100);
          h = await health('app-postgres');
        }
        expect(h.problem).toMatch(/archiving .* is failing/);
        expect(h.failedCount).toBeGreaterThan(before.failedCount);
      } finally {
        await execIn(container, ['chmod', '700', wal], { user: 'root' });
      }
      const plan = await ops.router.invoke('recovery.check', { to: new Date().toISOString() });
      expect(plan.ok, JSON.stringify(plan)).toBe(true);
      expect((await health('app-postgres')).problem).toBeUndefined();
    },
    5 * MINUTE,
  );

  it(
    'puts the previous data volumes back at the next start when a recovery was cut off after the swap',
    async () => {
      const before = await app(`SELECT note FROM pitr_marks ORDER BY note`);
      const volumesBefore = await dataVolumes();
      const to = new Date().toISOString();
      expect((await ops.router.invoke('recovery.check', { to })).ok).toBe(true);
      // What a console killed mid-way leaves behind: the copies, the swap, both clusters replaying on them.
      const driver = (await ops.stack.recoveryDriver('cut-off'))!;
      await driver.begin();
      const { app: appArchive, tpg: tpgArchive } = provider.archivedClusters();
      const backups = {
        'app-postgres': (await appArchive.baseBackups()).at(-1)!,
        'temporal-postgres': (await tpgArchive.baseBackups()).at(-1)!,
      };
      for (const c of driver.clusters) await c.layDown(backups[c.id], new Date(to), true);
      await ops.router.invoke('stack.stop', {});
      await driver.swap();
      await Promise.all(driver.clusters.map((c) => c.replay()));
      expect(await dataVolumes()).not.toEqual(volumesBefore);

      await ops.router.invoke('stack.start', {});
      expect(await dataVolumes()).toEqual(volumesBefore);
      expect(await app(`SELECT note FROM pitr_marks ORDER BY note`)).toEqual(before);
      const { Volumes } = await engine.docker.listVolumes();
      expect((Volumes ?? []).map((v) => v.Name).filter((n) => n.endsWith('-data-cut-off'))).toEqual([]);
    },
    5 * MINUTE,
  );

  it('finishes a rollback when a copy container it found is removed by the engine before it gets to it', async () => {
    // What a console killed just after asking the engine to remove its copy container leaves: the container is
    // listed, then gone (or being removed) by the time the rollback removes it.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-rollback-'));
    const helper = await engine.docker.createContainer({
      Image: provider.plan.containers.find((c) => c.service === 'app-postgres')!.image,
      Entrypoint: ['sleep', '600'],
      Labels: { ...provider.plan.labels, [LABEL_HELPER]: 'recovery' },
      HostConfig: { NetworkMode: 'none' },
    });
    await helper.start();
    let removedUnderIt = false;
    // The real engine, with the other removal placed between the rollback's listing and its own removal.
    const docker = new Proxy(engine.docker, {
      get(target, key, receiver) {
        if (key !== 'listContainers') return Reflect.get(target, key, receiver) as unknown;
        return async (options: Docker.ContainerListOptions) => {
          const listed = await target.listContainers(options);
          if (!removedUnderIt && listed.some((c) => c.Id === helper.id)) {
            await helper.remove({ force: true });
            removedUnderIt = true;
          }
          return listed;
        };
      },
    });
    const host = {
      spec: { ...spec, dataDir },
      plan: provider.plan,
      engine: async () => ({ docker }),
      startPostgres: () => Promise.reject(new Error('not used by a rollback')),
      serviceContainer: (id: 'app-postgres' | 'temporal-postgres') => provider.serviceContainer(id),
    };
    try {
      await dockerRecoveryDriver(host, 'gone-under-it').begin();
      expect(hasInterruptedRecovery(dataDir)).toBe(true);
      await expect(rollBackDockerRecovery(host)).resolves.toMatch(/rolled back/);
      expect(removedUnderIt).toBe(true);
      expect(hasInterruptedRecovery(dataDir)).toBe(false);
      await expect(helper.inspect()).rejects.toMatchObject({ statusCode: 404 });
    } finally {
      await helper.remove({ force: true }).catch(() => undefined);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  // A console killed with SIGKILL in the middle of a recovery, in its own process: while it copies the base backups
  // into new volumes, or once the containers run on them and replay. The next start puts the previous volumes back.
  it.each([
    [
      'while it copies the base backups',
      async (volumesBefore: string[], existing: Set<string>) =>
        (await volumeNames()).some((n) => !existing.has(n) && /-data-\d{4}-\d\d-\d\dt/i.test(n)),
    ],
    [
      'once the containers run on the recovered volumes',
      async (volumesBefore: string[]) =>
        (await dataVolumes().catch(() => volumesBefore)).some((v) => !volumesBefore.includes(v)),
    ],
  ])(
    'leaves the previous data serving when the console is killed %s',
    async (_when, reached) => {
      const notes = async () =>
        (await app<{ note: string }>(`SELECT note FROM pitr_marks ORDER BY note COLLATE "C"`)).map(
          (r) => r.note,
        );
      const volumesBefore = await dataVolumes();
      const existing = new Set(await volumeNames());
      const to = new Date().toISOString();
      expect((await ops.router.invoke('recovery.check', { to })).ok).toBe(true);
      // Written after the moment: only the previous data has it.
      const late = `kill-${Date.now()}`;
      await app(`INSERT INTO pitr_marks (note) VALUES ('${late}')`);
      const before = await notes();
      const child = spawn(
        process.execPath,
        ['test/support/recover-child.mjs', home, to, JSON.stringify(temporal)],
        { stdio: 'ignore' },
      );
      try {
        const until = Date.now() + 3 * MINUTE;
        while (!(await reached(volumesBefore, existing))) {
          if (Date.now() > until || child.exitCode !== null)
            throw new Error(`the recovery did not reach that point (exit ${child.exitCode})`);
          await sleep(20);
        }
      } finally {
        child.kill('SIGKILL');
      }
      await exited(child);

      await ops.router.invoke('stack.start', {});
      expect(await dataVolumes()).toEqual(volumesBefore);
      expect(await notes()).toEqual(before);
      expect(before).toContain(late);
      expect((await volumeNames()).filter((n) => !existing.has(n))).toEqual([]);
    },
    5 * MINUTE,
  );
});

async function volumeNames(): Promise<string[]> {
  const { Volumes } = await engine.docker.listVolumes();
  return (Volumes ?? []).map((v) => v.Name);
}

/** The data volume each Postgres container runs on now. */
async function dataVolumes(): Promise<string[]> {
  const names: string[] = [];
  for (const id of ['app-postgres', 'temporal-postgres'] as const) {
    const info = await (await provider.serviceContainer(id)).inspect();
    names.push(info.Mounts.find((m) => m.Destination === '/var/lib/postgresql/data')!.Name!);
  }
  return names;
}
