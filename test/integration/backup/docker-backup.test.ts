// Backups on the Docker provider (private engine, host network): pg_dump, pg_restore and psql run inside the
// Postgres containers; a set of both databases round-trips with every table checksum equal and the Temporal
// container stopped and started around the Temporal DB restore.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsole, type WiredConsole } from '../../../main/console';
import { migrateAppDb } from '../../../main/db';
import { postgresUrl } from '../../../main/stack';
import type { StackSpec } from '../../../main/stack/provider';
import { DockerProvider } from '../../../main/stack/docker/provider';
import { allocateTemporalPorts, writeTemporalConfig } from '../../../main/stack/local/temporal-config';
import { scratchHome } from '../../support/console-process';
import { buildTestImages, startTestEngine, type TestEngine } from '../../support/docker-engine';
import { freeStackSettings } from '../../support/stack-settings';
import { waitFor } from '../../support/cycle-stack';
import { appRows } from '../../support/app-db';

const MINUTE = 60_000;
let engine: TestEngine;
let ops: WiredConsole;
let provider: DockerProvider;
let spec: StackSpec;

async function temporalConfigDir(dir: string): Promise<string> {
  const ports = await allocateTemporalPorts(spec.temporal.port, crypto.randomInt(12_000));
  writeTemporalConfig(dir, spec, ports);
  return path.join(dir, 'config');
}

const app = <T>(sql: string) => appRows<T>(spec, sql);

beforeAll(async () => {
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
  const home = scratchHome({ stack: { ...(await freeStackSettings()).stack, provider: 'docker', docker } });
  ops = createConsole({ mode: 'cli', dataDir: home, env: {} });
  spec = ops.stack.spec();
  // The test's Temporal image reads its config from a mount; the console finds the same containers by label.
  const configDir = await temporalConfigDir(path.join(home, 'temporal'));
  provider = new DockerProvider(spec, docker, {
    env: {},
    temporal: { binds: [`${configDir}:/etc/temporal/config:ro`] },
  });
  await provider.start({ step: () => undefined }, new AbortController().signal);
  await migrateAppDb(postgresUrl(spec.appPostgres, spec.appPostgres.database));
  await app(`INSERT INTO data_owners (name) SELECT 'owner ' || g FROM generate_series(1, 500) g`);
}, 20 * MINUTE);

afterAll(async () => {
  await ops?.shutdown();
  await provider?.remove({ deleteVolumes: true }).catch(() => undefined);
  await engine?.stop();
}, 2 * MINUTE);

describe('backups on the Docker provider', () => {
  it(
    'backs up both databases inside the containers and restores them with every checksum equal',
    async () => {
      const set = await ops.router.invoke('backups.create', {});
      expect(set.databases).toEqual(['synapse_dt', 'temporal', 'temporal_visibility']);
      const manifest = JSON.parse(fs.readFileSync(path.join(set.path, 'manifest.json'), 'utf8'));
      expect(manifest.provider).toBe('docker');
      const v = await ops.router.invoke('backups.verify', { setId: set.id, trialRestore: true });
      expect(v.problems).toEqual([]);

      await app(`DELETE FROM data_owners WHERE id > 250`);
      const result = await ops.router.invoke('backups.restore', {
        setId: set.id,
        confirm: ['synapse_dt', 'temporal', 'temporal_visibility'],
      });
      expect(result.restored.map((r) => r.database)).toEqual([
        'synapse_dt',
        'temporal',
        'temporal_visibility',
      ]);
      expect(result.checksumsMatched).toBeGreaterThan(20);
      expect(await app(`SELECT count(*)::int AS n FROM data_owners`)).toEqual([{ n: 500 }]);
      const services = await provider.services();
      expect(services.find((s) => s.id === 'temporal')?.state).toBe('running');
    },
    10 * MINUTE,
  );

  it(
    'a cancelled backup stops the pg_dump running inside the container',
    async () => {
      // Enough data that the dump is still running when it is cancelled.
      await app(`CREATE TABLE bulk AS SELECT g AS id, md5(g::text) || md5((g * 3)::text) AS note
                   FROM generate_series(1, 1500000) g`);
      const backup = ops.router.call('backups.create', { kinds: ['app'], quiesce: false });
      try {
        // Cancelled while pg_dump is at work inside the container.
        await waitFor(
          async () =>
            (
              await app<{ n: number }>(
                `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pg_dump'`,
              )
            )[0]!.n > 0,
          2 * MINUTE,
          'pg_dump to connect',
        );
        const job = (await ops.router.invoke('backups.jobs', {})).find((j) => j.state === 'running');
        await ops.router.invoke('backups.cancel', { jobId: job!.id });
        const r = await backup;
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error.message).toMatch(/Cancelled/);
      } finally {
        await backup;
        await app('DROP TABLE IF EXISTS bulk');
      }
      // The cancellation returns once the process inside the container is gone.
      const container = await provider.serviceContainer('app-postgres');
      const exec = await container.exec({
        Cmd: ['sh', '-c', 'cat /proc/[0-9]*/cmdline | tr "\\000" " "'],
        AttachStdout: true,
        AttachStderr: true,
      });
      const stream = await exec.start({ hijack: true, stdin: false });
      let out = '';
      stream.on('data', (c: Buffer) => (out += c.toString('latin1')));
      await new Promise((r) => stream.on('end', r));
      expect(out).toMatch(/postgres/);
      expect(out).not.toMatch(/pg_dump/);
    },
    10 * MINUTE,
  );
});
