// The Docker provider's plan: labels, 127.0.0.1-only ports, host networking, and credentials from the spec.
import { describe, expect, it } from 'vitest';
import type { StackSpec } from '../../../main/stack/provider';
import {
  PITR_MOUNT,
  ownedFilter,
  planStack,
  resolveDockerSettings,
  stackIdFor,
  type ContainerPlan,
} from '../../../main/stack/docker/containers';
import { stateOf } from '../../../main/stack/docker/status';
import { demuxLogs } from '../../../main/stack/docker/container-logs';
import type Docker from 'dockerode';
import { SERVICE_CPU_SHARES } from '../../../main/stack/priority';

function spec(overrides: Partial<StackSpec> = {}): StackSpec {
  return {
    provider: 'docker',
    dataDir: '/data/stack',
    appPostgres: {
      host: '127.0.0.1',
      port: 15432,
      user: 'ops',
      password: 'app-secret-1',
      databases: ['synapse_dt'],
      database: 'synapse_dt',
    },
    temporalPostgres: {
      host: '127.0.0.1',
      port: 15434,
      user: 'ops',
      password: 'tpg-secret-2',
      databases: ['temporal', 'temporal_visibility'],
    },
    temporal: { host: '127.0.0.1', port: 17233, namespace: 'default', retentionHours: 72 },
    temporalUi: { enabled: true, port: 18088 },
    ...overrides,
  };
}

const bridge = resolveDockerSettings();
const host = resolveDockerSettings({ network: 'host' });
const byService = (containers: ContainerPlan[], id: string) =>
  containers.find((c) => c.service === id) as ContainerPlan;
const env = (c: ContainerPlan) => Object.fromEntries((c.create.Env ?? []).map((e) => e.split(/=(.*)/s)));

describe('docker settings', () => {
  it('defaults to pinned images and a bridge network', () => {
    expect(bridge).toEqual({
      socketPath: undefined,
      images: {
        appPostgres: 'postgres:15.10',
        temporalPostgres: 'postgres:15.10',
        temporal: 'temporalio/auto-setup:1.29.1',
        ui: 'temporalio/ui:2.54.1',
      },
      network: 'bridge',
    });
    for (const image of Object.values(bridge.images)) expect(image).not.toMatch(/:latest$|^[^:]+$/);
  });

  it('keeps the pinned default for an image the settings leave out', () => {
    const settings = resolveDockerSettings({ images: { temporal: 'my/temporal:1' } as never });
    expect(settings.images.temporal).toBe('my/temporal:1');
    expect(settings.images.appPostgres).toBe('postgres:15.10');
  });
});

describe('docker stack plan', () => {
  it('orders containers by dependency: both Postgres, then Temporal, then the UI', () => {
    expect(planStack(spec(), bridge).containers.map((c) => c.service)).toEqual([
      'app-postgres',
      'temporal-postgres',
      'temporal',
      'temporal-ui',
    ]);
    const noUi = spec({ temporalUi: { enabled: false, port: 18088 } });
    expect(planStack(noUi, bridge).containers.map((c) => c.service)).not.toContain('temporal-ui');
  });

  it('labels every container as owned by this stack, with its service', () => {
    const plan = planStack(spec(), bridge, { stackId: 'abc' });
    for (const c of plan.containers) {
      expect(c.create.Labels).toMatchObject({
        'ops-console.owned': 'true',
        'ops-console.stack': 'abc',
        'ops-console.service': c.service,
      });
      expect(c.name).toBe(`ops-abc-${c.service}`);
    }
    expect(ownedFilter('abc')).toEqual({ label: ['ops-console.owned=true', 'ops-console.stack=abc'] });
  });

  it('names a stack by its data folder, so two folders never share objects', () => {
    expect(stackIdFor(spec())).toBe(stackIdFor(spec()));
    expect(stackIdFor(spec({ dataDir: '/other' }))).not.toBe(stackIdFor(spec()));
    expect(stackIdFor(spec())).toMatch(/^[0-9a-f]{10}$/);
  });

  it('publishes every port on 127.0.0.1 only, on the spec port, in bridge mode', () => {
    const plan = planStack(spec(), bridge, { stackId: 'abc' });
    expect(plan.network).toBe('ops-abc');
    const published = plan.containers.map((c) => [c.service, c.create.HostConfig?.PortBindings]);
    expect(published).toEqual([
      ['app-postgres', { '5432/tcp': [{ HostIp: '127.0.0.1', HostPort: '15432' }] }],
      ['temporal-postgres', { '5432/tcp': [{ HostIp: '127.0.0.1', HostPort: '15434' }] }],
      ['temporal', { '7233/tcp': [{ HostIp: '127.0.0.1', HostPort: '17233' }] }],
      ['temporal-ui', { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '18088' }] }],
    ]);
    for (const c of plan.containers) {
      expect(c.create.HostConfig?.NetworkMode).toBe('ops-abc');
      expect(Object.keys(c.create.NetworkingConfig?.EndpointsConfig ?? {})).toEqual(['ops-abc']);
    }
    expect(env(byService(plan.containers, 'temporal')).POSTGRES_SEEDS).toBe('temporal-postgres');
    expect(env(byService(plan.containers, 'temporal-ui')).TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('uses the host network in host mode, with each service listening on 127.0.0.1 at its spec port', () => {
    const plan = planStack(spec(), host);
    expect(plan.network).toBeUndefined();
    for (const c of plan.containers) {
      expect(c.create.HostConfig?.NetworkMode).toBe('host');
      expect(c.create.HostConfig?.PortBindings).toBeUndefined();
      expect(c.create.ExposedPorts).toBeUndefined();
    }
    expect(byService(plan.containers, 'app-postgres').create.Cmd).toEqual([
      'postgres',
      '-p',
      '15432',
      '-c',
      'listen_addresses=127.0.0.1',
    ]);
    expect(byService(plan.containers, 'temporal-postgres').create.Cmd).toContain('15434');
    expect(env(byService(plan.containers, 'temporal'))).toMatchObject({
      POSTGRES_SEEDS: '127.0.0.1',
      DB_PORT: '15434',
      FRONTEND_GRPC_PORT: '17233',
      BIND_ON_IP: '127.0.0.1',
    });
    expect(env(byService(plan.containers, 'temporal-ui'))).toMatchObject({
      TEMPORAL_ADDRESS: '127.0.0.1:17233',
      TEMPORAL_UI_PORT: '18088',
    });
  });

  it("gives every container a smaller CPU share when the services yield, and Docker's default otherwise", () => {
    const yielding = planStack(spec(), resolveDockerSettings(), { cpuShares: SERVICE_CPU_SHARES });
    expect(yielding.containers.length).toBe(4);
    for (const c of yielding.containers) expect(c.create.HostConfig?.CpuShares, c.service).toBe(512);
    for (const c of planStack(spec(), resolveDockerSettings()).containers)
      expect(c.create.HostConfig?.CpuShares, c.service).toBeUndefined();
  });

  it('takes credentials from the spec, never a well-known default password', () => {
    for (const settings of [bridge, host]) {
      const plan = planStack(spec(), settings);
      expect(env(byService(plan.containers, 'app-postgres'))).toMatchObject({
        POSTGRES_USER: 'ops',
        POSTGRES_PASSWORD: 'app-secret-1',
        POSTGRES_DB: 'synapse_dt',
      });
      expect(env(byService(plan.containers, 'temporal-postgres')).POSTGRES_PASSWORD).toBe('tpg-secret-2');
      expect(env(byService(plan.containers, 'temporal'))).toMatchObject({
        POSTGRES_USER: 'ops',
        POSTGRES_PWD: 'tpg-secret-2',
        SQL_USER: 'ops',
        SQL_PASSWORD: 'tpg-secret-2',
        DB: 'postgres12',
      });
      for (const c of plan.containers) {
        for (const [key, value] of Object.entries(env(c))) {
          if (/PASSWORD|PWD/.test(key)) expect(value).not.toMatch(/^(temporal|postgres|password|)$/);
        }
      }
    }
  });

  it('keeps Postgres data in a named volume per cluster', () => {
    const plan = planStack(spec(), bridge, { stackId: 'abc' });
    expect(byService(plan.containers, 'app-postgres').create.HostConfig?.Mounts).toEqual([
      { Type: 'volume', Source: 'ops-abc-app-postgres-data', Target: '/var/lib/postgresql/data' },
    ]);
    expect(byService(plan.containers, 'temporal-postgres').volume).toBe('ops-abc-temporal-postgres-data');
    expect(byService(plan.containers, 'temporal').volume).toBeUndefined();
  });

  it('lets the Temporal image, command, environment and mounts be overridden', () => {
    const plan = planStack(spec(), host, {
      temporal: {
        image: 'ops-test/temporal:1',
        entrypoint: ['/run.sh'],
        cmd: ['serve'],
        env: { EXTRA: '1', DB: 'custom' },
        binds: ['/host/config:/etc/temporal/config:ro'],
      },
    });
    const temporal = byService(plan.containers, 'temporal');
    expect(temporal.image).toBe('ops-test/temporal:1');
    expect(temporal.create).toMatchObject({
      Image: 'ops-test/temporal:1',
      Entrypoint: ['/run.sh'],
      Cmd: ['serve'],
    });
    expect(env(temporal)).toMatchObject({ EXTRA: '1', DB: 'custom', POSTGRES_PWD: 'tpg-secret-2' });
    expect(temporal.create.HostConfig?.Binds).toEqual(['/host/config:/etc/temporal/config:ro']);
  });
});

describe('container state', () => {
  const inspect = (state: Partial<Docker.ContainerInspectInfo['State']>) =>
    ({
      State: { Running: false, Restarting: false, OOMKilled: false, ExitCode: 0, Error: '', ...state },
    }) as unknown as Docker.ContainerInspectInfo;

  it('reads running, health, crash and out-of-memory from inspect', () => {
    expect(stateOf(inspect({ Running: true, Pid: 42, StartedAt: 't' }))).toEqual({
      state: 'running',
      health: 'healthy',
      pid: 42,
      startedAt: 't',
    });
    expect(stateOf(inspect({ Running: true, Health: { Status: 'unhealthy' } as never })).health).toBe(
      'failed',
    );
    expect(stateOf(inspect({ Status: 'exited', ExitCode: 3 }))).toMatchObject({
      state: 'stopped',
      message: 'exited with code 3',
    });
    expect(stateOf(inspect({ Status: 'exited', OOMKilled: true, ExitCode: 137 })).message).toMatch(/memory/);
    expect(stateOf(inspect({ Status: 'exited', ExitCode: 0 })).message).toBeUndefined();
  });

  it('splits a multiplexed log stream into its text', () => {
    const frame = (type: number, text: string) => {
      const header = Buffer.alloc(8);
      header[0] = type;
      header.writeUInt32BE(Buffer.byteLength(text), 4);
      return Buffer.concat([header, Buffer.from(text)]);
    };
    expect(demuxLogs(Buffer.concat([frame(1, 'ready\n'), frame(2, 'FATAL: no\n')]))).toBe(
      'ready\nFATAL: no\n',
    );
    expect(demuxLogs(Buffer.from('plain tty output\n'))).toBe('plain tty output\n');
  });

  it('with archiving on, mounts one archive volume in both Postgres containers and archives through it', () => {
    const plan = planStack(spec(), bridge, {
      stackId: 'abc',
      archiving: { enabled: true, segmentTimeoutS: 45 },
    });
    for (const service of ['app-postgres', 'temporal-postgres']) {
      const c = plan.containers.find((x) => x.service === service)!;
      expect(c.archiveVolume).toBe('ops-abc-pitr');
      expect(c.create.HostConfig?.Mounts).toContainEqual({
        Type: 'volume',
        Source: 'ops-abc-pitr',
        Target: PITR_MOUNT,
      });
      const cmd = c.create.Cmd!.join(' ');
      expect(cmd).toContain('-c archive_mode=on');
      expect(cmd).toContain('-c archive_timeout=45');
      // The complete-then-synced script, inline, into this cluster's own folder of the volume.
      expect(cmd).toContain(`archive %p ${PITR_MOUNT}/${service}/wal/%f`);
      expect(cmd).toMatch(/cp "\$src" "\$dest.part"; sync "\$dest.part"; mv "\$dest.part" "\$dest"/);
    }
    const off = planStack(spec(), bridge, { stackId: 'abc' });
    for (const c of off.containers) {
      expect(c.archiveVolume).toBeUndefined();
      expect(c.create.Cmd?.join(' ') ?? '').not.toContain('archive_mode');
    }
  });

  it('runs a cluster on the data volume a recovery moved it to', () => {
    const plan = planStack(spec(), bridge, {
      stackId: 'abc',
      dataVolumes: { 'app-postgres': 'ops-abc-app-postgres-data-r1' },
    });
    const app = plan.containers.find((c) => c.service === 'app-postgres')!;
    const tpg = plan.containers.find((c) => c.service === 'temporal-postgres')!;
    expect(app.volume).toBe('ops-abc-app-postgres-data-r1');
    expect(app.create.HostConfig?.Mounts?.[0]?.Source).toBe('ops-abc-app-postgres-data-r1');
    expect(tpg.volume).toBe('ops-abc-temporal-postgres-data');
  });
});
