// The containers, volumes and network of a Docker stack, computed from the spec alone (no engine calls).
import crypto from 'node:crypto';
import type { TemporalContainerOverride } from '../../context';
import type Docker from 'dockerode';
import type { ServiceId, Settings } from '../../api';
import { DEFAULT_SETTINGS } from '../../settings';
import type { StackSpec } from '../provider';
import { ARCHIVE_SCRIPT, archiveOptions } from '../wal-command';

export type DockerSettings = NonNullable<Settings['stack']['docker']>;

export const LABEL_OWNED = 'ops-console.owned';
export const LABEL_STACK = 'ops-console.stack';
export const LABEL_SERVICE = 'ops-console.service';

/** Where Postgres keeps its cluster inside the container (the official image's PGDATA). */
export const PGDATA = '/var/lib/postgresql/data';
/** Where both Postgres containers mount the stack's archive volume: `<service>/wal` and `<service>/base` under it. */
export const PITR_MOUNT = '/var/lib/ops-pitr';
const POSTGRES_PORT = 5432;
const TEMPORAL_PORT = 7233;
const UI_PORT = 8080;

export type { TemporalContainerOverride };

export interface ContainerPlan {
  service: ServiceId;
  name: string;
  image: string;
  volume?: string;
  /** The WAL archive and base backups volume (both Postgres containers, when archiving is on). */
  archiveVolume?: string;
  create: Docker.ContainerCreateOptions;
}

/** Continuous archiving of both clusters (Settings → Stack → archiving). */
export interface ArchivingPlan {
  enabled: boolean;
  segmentTimeoutS: number;
}

/** The archive volume of a stack (shared by both Postgres containers, each in its own folder). */
export const archiveVolumeName = (stackId: string) => `ops-${stackId}-pitr`;

/**
 * The server options that archive each completed segment into the archive volume, with the same
 * complete-then-synced steps as the local provider (the script passed inline: nothing to copy into the image).
 */
export function dockerArchiveOptions(
  service: 'app-postgres' | 'temporal-postgres',
  segmentTimeoutS: number,
): string[] {
  return archiveOptions(
    `${PITR_MOUNT}/${service}/wal`,
    segmentTimeoutS,
    (dest) => `sh -c '${ARCHIVE_SCRIPT}' archive %p ${dest}`,
  ).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
}

export interface StackPlan {
  stackId: string;
  network: string | undefined;
  labels: Record<string, string>;
  containers: ContainerPlan[];
}

/** Docker settings with every absent field at its pinned default. */
export function resolveDockerSettings(settings?: Partial<DockerSettings>): DockerSettings {
  const defaults = DEFAULT_SETTINGS.stack.docker as DockerSettings;
  return {
    socketPath: settings?.socketPath || undefined,
    images: { ...defaults.images, ...settings?.images },
    network: settings?.network ?? defaults.network,
  };
}

/** A short, stable id per stack data folder, so two consoles with two stacks never touch each other's objects. */
export function stackIdFor(spec: StackSpec): string {
  return crypto.createHash('sha256').update(spec.dataDir).digest('hex').slice(0, 10);
}

export function stackLabels(stackId: string): Record<string, string> {
  return { [LABEL_OWNED]: 'true', [LABEL_STACK]: stackId };
}

/** The label filter that selects this stack's objects and nothing else. */
export function ownedFilter(stackId: string): { label: string[] } {
  return { label: [`${LABEL_OWNED}=true`, `${LABEL_STACK}=${stackId}`] };
}

function envList(env: Record<string, string | undefined>): string[] {
  return Object.entries(env)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${v}`);
}

function networking(
  mode: DockerSettings['network'],
  network: string | undefined,
  alias: string,
  containerPort: number,
  hostPort: number,
): Pick<Docker.ContainerCreateOptions, 'ExposedPorts' | 'NetworkingConfig'> & {
  HostConfig: Docker.HostConfig;
} {
  if (mode === 'host') return { HostConfig: { NetworkMode: 'host' } };
  const key = `${containerPort}/tcp`;
  return {
    ExposedPorts: { [key]: {} },
    HostConfig: {
      NetworkMode: network,
      // 127.0.0.1 only: the stack's databases hold credentials and data, never meant for the LAN.
      PortBindings: { [key]: [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }] },
    },
    NetworkingConfig: network ? { EndpointsConfig: { [network]: { Aliases: [alias] } } } : undefined,
  };
}

function postgresContainer(
  service: 'app-postgres' | 'temporal-postgres',
  endpoint: StackSpec['temporalPostgres'],
  database: string,
  image: string,
  mode: DockerSettings['network'],
  stackId: string,
  network: string | undefined,
  archiving?: ArchivingPlan,
  dataVolume?: string,
): ContainerPlan {
  const name = `ops-${stackId}-${service}`;
  // A recovery to a moment moves a cluster onto a new volume (the previous one stays, untouched).
  const volume = dataVolume ?? `${name}-data`;
  const archiveVolume = archiving?.enabled ? archiveVolumeName(stackId) : undefined;
  const net = networking(mode, network, service, POSTGRES_PORT, endpoint.port);
  const cmd = [
    ...(mode === 'host'
      ? ['postgres', '-p', String(endpoint.port), '-c', 'listen_addresses=127.0.0.1']
      : ['postgres', '-c', 'listen_addresses=*']),
    ...(archiving?.enabled ? dockerArchiveOptions(service, archiving.segmentTimeoutS) : []),
  ];
  const mounts: Docker.MountSettings[] = [{ Type: 'volume', Source: volume, Target: PGDATA }];
  if (archiveVolume) mounts.push({ Type: 'volume', Source: archiveVolume, Target: PITR_MOUNT });
  return {
    service,
    name,
    image,
    volume,
    archiveVolume,
    create: {
      name,
      Image: image,
      Cmd: cmd,
      Env: envList({
        POSTGRES_USER: endpoint.user,
        POSTGRES_PASSWORD: endpoint.password,
        POSTGRES_DB: database,
        PGDATA,
      }),
      Labels: { ...stackLabels(stackId), [LABEL_SERVICE]: service },
      StopTimeout: 30,
      ExposedPorts: net.ExposedPorts,
      NetworkingConfig: net.NetworkingConfig,
      HostConfig: {
        ...net.HostConfig,
        Mounts: mounts,
        RestartPolicy: { Name: 'no' },
      },
    },
  };
}

function temporalContainer(
  spec: StackSpec,
  image: string,
  mode: DockerSettings['network'],
  stackId: string,
  network: string | undefined,
  override: TemporalContainerOverride = {},
): ContainerPlan {
  const name = `ops-${stackId}-temporal`;
  const tpg = spec.temporalPostgres;
  const net = networking(mode, network, 'temporal', TEMPORAL_PORT, spec.temporal.port);
  const dbHost = mode === 'host' ? '127.0.0.1' : 'temporal-postgres';
  const dbPort = String(mode === 'host' ? tpg.port : POSTGRES_PORT);
  // temporalio/auto-setup's variables, in both spellings: DB/POSTGRES_* (1.2x config template) and SQL_*
  // (newer auto-setup). The provider creates the databases beforehand.
  const env: Record<string, string | undefined> = {
    DB: 'postgres12',
    DB_PORT: dbPort,
    POSTGRES_SEEDS: dbHost,
    POSTGRES_USER: tpg.user,
    POSTGRES_PWD: tpg.password,
    DBNAME: 'temporal',
    VISIBILITY_DBNAME: 'temporal_visibility',
    SQL_PLUGIN: 'postgres12',
    SQL_HOST: dbHost,
    SQL_PORT: dbPort,
    SQL_USER: tpg.user,
    SQL_PASSWORD: tpg.password,
    SQL_DATABASE: 'temporal',
    SQL_VISIBILITY_DATABASE: 'temporal_visibility',
    SKIP_DB_CREATE: 'true',
    SKIP_ADD_CUSTOM_SEARCH_ATTRIBUTES: 'true',
    DEFAULT_NAMESPACE: spec.temporal.namespace,
    DEFAULT_NAMESPACE_RETENTION: `${spec.temporal.retentionHours}h`,
    // Where auto-setup's own CLI reaches the frontend to register the namespace.
    TEMPORAL_ADDRESS: mode === 'host' ? `127.0.0.1:${spec.temporal.port}` : `temporal:${TEMPORAL_PORT}`,
    FRONTEND_GRPC_PORT: mode === 'host' ? String(spec.temporal.port) : undefined,
    BIND_ON_IP: mode === 'host' ? '127.0.0.1' : undefined,
    TEMPORAL_BROADCAST_ADDRESS: mode === 'host' ? '127.0.0.1' : undefined,
    ...override.env,
  };
  return {
    service: 'temporal',
    name,
    image: override.image ?? image,
    create: {
      name,
      Image: override.image ?? image,
      Entrypoint: override.entrypoint,
      Cmd: override.cmd,
      Env: envList(env),
      Labels: { ...stackLabels(stackId), [LABEL_SERVICE]: 'temporal' },
      StopTimeout: 30,
      ExposedPorts: net.ExposedPorts,
      NetworkingConfig: net.NetworkingConfig,
      HostConfig: {
        ...net.HostConfig,
        Binds: override.binds,
        RestartPolicy: { Name: 'no' },
      },
    },
  };
}

function uiContainer(
  spec: StackSpec,
  image: string,
  mode: DockerSettings['network'],
  stackId: string,
  network: string | undefined,
): ContainerPlan {
  const name = `ops-${stackId}-temporal-ui`;
  const net = networking(mode, network, 'temporal-ui', UI_PORT, spec.temporalUi.port);
  return {
    service: 'temporal-ui',
    name,
    image,
    create: {
      name,
      Image: image,
      Env: envList({
        TEMPORAL_ADDRESS: mode === 'host' ? `127.0.0.1:${spec.temporal.port}` : `temporal:${TEMPORAL_PORT}`,
        TEMPORAL_UI_PORT: String(mode === 'host' ? spec.temporalUi.port : UI_PORT),
        TEMPORAL_UI_HOST: mode === 'host' ? '127.0.0.1' : undefined,
        // The UI is opened from the host's loopback address, whichever way it is published.
        TEMPORAL_CORS_ORIGINS: `http://127.0.0.1:${spec.temporalUi.port},http://localhost:${spec.temporalUi.port}`,
        TEMPORAL_DEFAULT_NAMESPACE: spec.temporal.namespace,
      }),
      Labels: { ...stackLabels(stackId), [LABEL_SERVICE]: 'temporal-ui' },
      StopTimeout: 10,
      ExposedPorts: net.ExposedPorts,
      NetworkingConfig: net.NetworkingConfig,
      HostConfig: { ...net.HostConfig, RestartPolicy: { Name: 'no' } },
    },
  };
}

/** Everything a start creates, in dependency order: both Postgres, then Temporal, then the UI if enabled. */
export function planStack(
  spec: StackSpec,
  docker: DockerSettings,
  options: {
    stackId?: string;
    temporal?: TemporalContainerOverride;
    archiving?: ArchivingPlan;
    dataVolumes?: Partial<Record<'app-postgres' | 'temporal-postgres', string>>;
    /** Every container's CPU share; absent: Docker's default (1024). */
    cpuShares?: number;
  } = {},
): StackPlan {
  const stackId = options.stackId ?? stackIdFor(spec);
  const network = docker.network === 'bridge' ? `ops-${stackId}` : undefined;
  const mode = docker.network;
  const containers = [
    postgresContainer(
      'app-postgres',
      spec.appPostgres,
      spec.appPostgres.database,
      docker.images.appPostgres,
      mode,
      stackId,
      network,
      options.archiving,
      options.dataVolumes?.['app-postgres'],
    ),
    postgresContainer(
      'temporal-postgres',
      spec.temporalPostgres,
      spec.temporalPostgres.databases[0] ?? 'temporal',
      docker.images.temporalPostgres,
      mode,
      stackId,
      network,
      options.archiving,
      options.dataVolumes?.['temporal-postgres'],
    ),
    temporalContainer(spec, docker.images.temporal, mode, stackId, network, options.temporal),
  ];
  if (spec.temporalUi.enabled) containers.push(uiContainer(spec, docker.images.ui, mode, stackId, network));
  if (options.cpuShares)
    for (const c of containers)
      c.create.HostConfig = { ...c.create.HostConfig, CpuShares: options.cpuShares };
  return { stackId, network, labels: stackLabels(stackId), containers };
}
