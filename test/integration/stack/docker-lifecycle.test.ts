// The Docker provider against a real, private Docker engine: start, validate, data kept across stop and start,
// other containers never touched, volumes kept by remove; and the error an absent engine gives.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpsError } from '../../../main/api/errors';
import { EventBus } from '../../../main/api/router';
import { LogBus } from '../../../main/logs';
import { validateStack } from '../../../main/stack/health';
import type { StackSpec } from '../../../main/stack/provider';
import { DockerProvider } from '../../../main/stack/docker/provider';
import { allocateTemporalPorts, writeTemporalConfig } from '../../../main/stack/local/temporal-config';
import { freePort } from '../../support/ports';
import {
  BASE_IMAGE,
  buildTestImages,
  startTestEngine,
  type TestEngine,
  type TestImages,
} from '../../support/docker-engine';

const MINUTE = 60_000;

async function testSpec(dataDir: string): Promise<StackSpec> {
  const secret = () => crypto.randomBytes(12).toString('base64url');
  return {
    provider: 'docker',
    dataDir,
    appPostgres: {
      host: '127.0.0.1',
      port: await freePort(),
      user: 'ops',
      password: secret(),
      databases: ['synapse_dt'],
      database: 'synapse_dt',
    },
    temporalPostgres: {
      host: '127.0.0.1',
      port: await freePort(),
      user: 'ops',
      password: secret(),
      databases: ['temporal', 'temporal_visibility'],
    },
    temporal: { host: '127.0.0.1', port: await freePort(), namespace: 'default', retentionHours: 24 },
    temporalUi: { enabled: false, port: await freePort() },
  };
}

/** The Temporal server's config, written on the host and mounted into the container (host network). */
async function temporalConfigDir(dir: string, spec: StackSpec): Promise<string> {
  const ports = await allocateTemporalPorts(spec.temporal.port, crypto.randomInt(12_000));
  writeTemporalConfig(dir, spec, ports);
  return path.join(dir, 'config');
}

async function query(spec: StackSpec, sql: string): Promise<pg.QueryResult> {
  const { host, port, user, password, database } = spec.appPostgres;
  const client = new pg.Client({ host, port, user, password, database });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

const reporter = (done: string[]) => ({
  step: (id: string, state: string, detail?: string) => {
    if (state === 'done') done.push(id);
    if (state === 'done' && detail) details.set(id, detail);
  },
});
const details = new Map<string, string>();

describe('docker provider lifecycle (private engine, host network)', () => {
  let engine: TestEngine;
  let images: TestImages;
  let spec: StackSpec;
  let provider: DockerProvider;
  let workDir: string;
  const logs = new LogBus(new EventBus());
  let foreignId: string | undefined;
  const stackId = `t${crypto.randomBytes(4).toString('hex')}`;
  let started = 0;

  beforeAll(async () => {
    engine = await startTestEngine();
    images = await buildTestImages(engine);
    console.info(`[docker-lifecycle] test images ${images.source} in ${images.seconds} s`);
    started = performance.now();
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-docker-stack-'));
    spec = await testSpec(workDir);
    const configDir = await temporalConfigDir(path.join(workDir, 'temporal'), spec);
    provider = new DockerProvider(
      spec,
      {
        socketPath: engine.socketPath,
        network: 'host',
        images: {
          appPostgres: images.postgres,
          temporalPostgres: images.postgres,
          temporal: images.temporal,
          ui: 'ops-test/unused-ui',
        },
      },
      { stackId, env: {}, logs, temporal: { binds: [`${configDir}:/etc/temporal/config:ro`] } },
    );
  }, 20 * MINUTE);

  afterAll(async () => {
    console.info(
      `[docker-lifecycle] lifecycle (first start to remove) took ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    await provider?.remove({ deleteVolumes: true }).catch(() => undefined);
    if (foreignId) await engine.docker.getContainer(foreignId).remove({ force: true });
    await engine?.stop();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  }, 2 * MINUTE);

  it(
    'starts every service in dependency order, without pulling images it already has',
    async () => {
      const done: string[] = [];
      await provider.start(reporter(done), new AbortController().signal);
      expect(done).toEqual([
        'engine',
        'images',
        'network',
        'ports',
        'postgres',
        'databases',
        'temporal',
        'namespace',
      ]);
      expect(details.get('images')).toBe('all present');
      const services = await provider.services();
      expect(services.map((s) => [s.id, s.state])).toEqual([
        ['app-postgres', 'running'],
        ['temporal-postgres', 'running'],
        ['temporal', 'running'],
        ['temporal-ui', 'disabled'],
      ]);
      expect(services.find((s) => s.id === 'temporal')?.version).toBe('1.29.1');
    },
    5 * MINUTE,
  );

  it("streams each container's output into the console log under its service", async () => {
    const lines = (source: string) => logs.recent({ source, limit: 1_000 }).map((l) => l.message);
    for (let i = 0; i < 50 && !lines('temporal').some((l) => /schema of temporal is current/.test(l)); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(lines('app-postgres').join('\n')).toMatch(/ready to accept connections/);
    expect(lines('temporal').join('\n')).toMatch(/schema of temporal is current/);
  });

  it('labels every container it made as ours and runs it on the host network', async () => {
    const ours = await engine.docker.listContainers({
      filters: { label: ['ops-console.owned=true', `ops-console.stack=${stackId}`] },
    });
    expect(ours.map((c) => c.Labels['ops-console.service']).sort()).toEqual([
      'app-postgres',
      'temporal',
      'temporal-postgres',
    ]);
    for (const c of ours) expect(c.HostConfig.NetworkMode).toBe('host');
  });

  it(
    'validates every check healthy, a workflow persisted included',
    async () => {
      const report = await validateStack(spec, { integration: true });
      const unhealthy = report.checks.filter((c) => c.group !== 'temporal-ui' && c.status !== 'healthy');
      expect(unhealthy).toEqual([]);
      expect(report.overall).toBe('healthy');
    },
    2 * MINUTE,
  );

  it(
    'keeps app data across a stop and a start, and never touches a container without our labels',
    async () => {
      await query(spec, 'CREATE TABLE kept (note text)');
      await query(spec, `INSERT INTO kept VALUES ('survives a restart')`);
      const foreign = await engine.docker.createContainer({
        Image: BASE_IMAGE,
        Cmd: ['sleep', 'infinity'],
        HostConfig: { NetworkMode: 'none' },
      });
      foreignId = foreign.id;
      await foreign.start();

      await provider.stop();
      expect((await provider.services()).filter((s) => s.state === 'running')).toEqual([]);
      expect((await foreign.inspect()).State.Running).toBe(true);

      await provider.start(reporter([]), new AbortController().signal);
      expect((await query(spec, 'SELECT note FROM kept')).rows).toEqual([{ note: 'survives a restart' }]);
    },
    5 * MINUTE,
  );

  it(
    'restarts one service and leaves the others as they were',
    async () => {
      const before = await provider.services();
      await provider.restartService('app-postgres');
      const after = await provider.services();
      const startedAt = (list: typeof before, id: string) => list.find((s) => s.id === id)?.startedAt;
      expect(startedAt(after, 'app-postgres')).not.toBe(startedAt(before, 'app-postgres'));
      expect(startedAt(after, 'temporal-postgres')).toBe(startedAt(before, 'temporal-postgres'));
    },
    2 * MINUTE,
  );

  it(
    'removes its containers but keeps their data volumes unless asked',
    async () => {
      await provider.remove();
      const filters = { label: ['ops-console.owned=true', `ops-console.stack=${stackId}`] };
      expect(await engine.docker.listContainers({ all: true, filters })).toEqual([]);
      const volumes = (await engine.docker.listVolumes({ filters })).Volumes ?? [];
      expect(volumes.map((v) => v.Name).sort()).toEqual([
        `ops-${stackId}-app-postgres-data`,
        `ops-${stackId}-temporal-postgres-data`,
      ]);
      expect((await engine.docker.getContainer(foreignId as string).inspect()).State.Running).toBe(true);

      await provider.start(reporter([]), new AbortController().signal);
      expect((await query(spec, 'SELECT note FROM kept')).rows).toEqual([{ note: 'survives a restart' }]);
    },
    5 * MINUTE,
  );
});

describe('docker provider without an engine', () => {
  const absent = path.join(os.tmpdir(), `ops-no-docker-${process.pid}.sock`);

  it('fails the start with DOCKER_UNAVAILABLE and a hint to start Docker or switch to local', async () => {
    const provider = new DockerProvider(await testSpec(os.tmpdir()), { socketPath: absent }, { env: {} });
    const err = (await provider
      .start(reporter([]), new AbortController().signal)
      .catch((e: unknown) => e)) as OpsError;
    expect(err.code).toBe('DOCKER_UNAVAILABLE');
    expect(err.message).toContain(absent);
    expect(err.hint).toMatch(/Docker Desktop/);
    expect(err.hint).toMatch(/provider to local/);
  });

  it('reports every service failed with the reason, rather than throwing', async () => {
    const provider = new DockerProvider(await testSpec(os.tmpdir()), { socketPath: absent }, { env: {} });
    const services = await provider.services();
    expect(
      services.every((s) => s.state === 'failed' && /No Docker engine answers/.test(s.message ?? '')),
    ).toBe(true);
  });
});
