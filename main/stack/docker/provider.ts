// The Docker provider: the same four services as the local one, as labelled containers on a Docker engine.
import crypto from 'node:crypto';
import net from 'node:net';
import type Docker from 'dockerode';
import { OpsError } from '../../api/errors';
import type { ServiceId, ServiceStatus } from '../../api/contract';
import type { LogBus } from '../../logs';
import { checkPorts } from '../ports';
import type { RemoveResult, StackProvider, StackSpec, StepReporter } from '../provider';
import {
  LABEL_SERVICE,
  ownedFilter,
  planStack,
  resolveDockerSettings,
  archiveVolumeName,
  type ArchivingPlan,
  type ContainerPlan,
  type DockerSettings,
  type StackPlan,
  type TemporalContainerOverride,
} from './containers';
import { connectEngine, describeCandidate, type ConnectedEngine } from './engine';
import { followContainerLog, lastLogLines } from './container-logs';
import { ensureImage } from './images';
import { ensureDatabases, ensureNamespace, sleep, waitForPostgres, waitForTemporal } from './readiness';
import { DockerArchivedCluster, prepareArchiveFolders } from './archiving';
import { dockerRecoveryDriver, forgetDataVolumes, readDataVolumes, rollBackDockerRecovery } from './recovery';
import { recoveriesInProgress } from '../../recovery/journal';

const LABELS: Record<ServiceId, string> = {
  'app-postgres': 'App PostgreSQL',
  'temporal-postgres': 'Temporal PostgreSQL',
  temporal: 'Temporal server',
  'temporal-ui': 'Temporal Web UI',
};
const LABEL_CONFIG = 'ops-console.config';
const STOP_TIMEOUT_S = 30;

export interface DockerProviderOptions {
  /** Names this stack's objects; defaults to a hash of the data folder. */
  stackId?: string;
  /** Another image or command for Temporal (tests run a locally built one). */
  temporal?: TemporalContainerOverride;
  /** Where DOCKER_HOST is read from; the console's environment by default. */
  env?: NodeJS.ProcessEnv;
  /** How long each service may take to answer after its container starts. */
  readyTimeoutMs?: number;
  logs?: LogBus;
  /** Continuous WAL archiving of both clusters into the stack's archive volume. */
  archiving?: ArchivingPlan;
}

export class DockerProvider implements StackProvider {
  readonly kind = 'docker' as const;
  readonly settings: DockerSettings;
  private connecting: Promise<ConnectedEngine> | undefined;
  private readonly following = new Set<string>();
  private readonly versions = new Map<ServiceId, string>();

  constructor(
    readonly spec: StackSpec,
    docker: Partial<DockerSettings> | undefined,
    private readonly options: DockerProviderOptions = {},
  ) {
    this.settings = resolveDockerSettings(docker);
  }

  /** Computed afresh: a recovery to a moment changes which data volume a cluster uses. */
  get plan(): StackPlan {
    return planStack(this.spec, this.settings, {
      stackId: this.options.stackId,
      temporal: this.options.temporal,
      archiving: this.options.archiving,
      dataVolumes: readDataVolumes(this.spec.dataDir),
    });
  }

  /** The engine, connected once; a failed attempt is forgotten so the next call looks again. */
  engine(): Promise<ConnectedEngine> {
    this.connecting ??= connectEngine({ socketPath: this.settings.socketPath, env: this.options.env });
    this.connecting.catch(() => (this.connecting = undefined));
    return this.connecting;
  }

  startSteps() {
    const steps = [
      { id: 'engine', label: 'Connect to Docker' },
      { id: 'images', label: 'Images' },
      { id: 'network', label: 'Network and volumes' },
      { id: 'ports', label: 'Check ports' },
      { id: 'postgres', label: 'Start both PostgreSQL containers' },
      { id: 'databases', label: 'Create databases' },
      { id: 'temporal', label: 'Start Temporal server' },
      { id: 'namespace', label: 'Register namespace' },
    ];
    if (this.spec.temporalUi.enabled) steps.push({ id: 'ui', label: 'Start Temporal Web UI' });
    return steps;
  }

  private container(service: ServiceId): ContainerPlan | undefined {
    return this.plan.containers.find((c) => c.service === service);
  }

  async start(report: StepReporter, signal: AbortSignal): Promise<void> {
    report.step('engine', 'running');
    const { docker, candidate } = await this.engine();
    const version = await docker.version();
    report.step('engine', 'done', `Docker ${version.Version} at ${describeCandidate(candidate)}`);
    // A recovery killed half-way leaves a journal: put the previous data volumes back before anything starts.
    if (!recoveriesInProgress.has(this.spec.dataDir)) {
      const rolledBack = await rollBackDockerRecovery(this);
      if (rolledBack) this.options.logs?.write('stack', 'warn', rolledBack);
    }

    report.step('images', 'running');
    const pulled: string[] = [];
    for (const image of new Set(this.plan.containers.map((c) => c.image))) {
      if (await ensureImage(docker, image, (line) => report.step('images', 'running', line)))
        pulled.push(image);
      if (signal.aborted) return;
    }
    report.step('images', 'done', pulled.length ? `pulled ${pulled.join(', ')}` : 'all present');

    report.step('network', 'running');
    await this.ensureNetworkAndVolumes(docker);
    report.step('network', 'done', this.plan.network ?? 'host network');

    report.step('ports', 'running');
    await this.checkPortsFree(docker, report);
    report.step('ports', 'done');

    report.step('postgres', 'running');
    const app = this.container('app-postgres') as ContainerPlan;
    const tpg = this.container('temporal-postgres') as ContainerPlan;
    await Promise.all([this.ensureRunning(docker, app), this.ensureRunning(docker, tpg)]);
    await Promise.all([this.prepareArchive(docker, app), this.prepareArchive(docker, tpg)]);
    // Both wait on the `postgres` database, which every cluster has; ours are created in the next step.
    const [appVersion, tpgVersion] = await Promise.all([
      waitForPostgres(this.spec.appPostgres, 'postgres', this.waitOptions(docker, app, signal)),
      waitForPostgres(this.spec.temporalPostgres, 'postgres', this.waitOptions(docker, tpg, signal)),
    ]);
    this.versions.set('app-postgres', appVersion);
    this.versions.set('temporal-postgres', tpgVersion);
    report.step('postgres', 'done', `PostgreSQL ${appVersion}`);
    if (signal.aborted) return;

    report.step('databases', 'running');
    const created = [
      ...(await ensureDatabases(this.spec.appPostgres, 'postgres')),
      ...(await ensureDatabases(this.spec.temporalPostgres, 'postgres')),
    ];
    report.step('databases', 'done', created.length ? `created ${created.join(', ')}` : 'exist');

    report.step('temporal', 'running');
    const temporal = this.container('temporal') as ContainerPlan;
    await this.ensureRunning(docker, temporal);
    const address = `${this.spec.temporal.host}:${this.spec.temporal.port}`;
    const temporalWait = this.waitOptions(docker, temporal, signal, 180_000);
    this.versions.set('temporal', await waitForTemporal(address, temporalWait));
    report.step('temporal', 'done', `server ${this.versions.get('temporal')}`);
    if (signal.aborted) return;

    report.step('namespace', 'running');
    const { namespace, retentionHours } = this.spec.temporal;
    const registered = await ensureNamespace(address, namespace, retentionHours, temporalWait);
    report.step('namespace', 'done', registered ? `registered ${namespace}` : 'exists');

    const ui = this.container('temporal-ui');
    if (ui) {
      report.step('ui', 'running');
      await this.ensureRunning(docker, ui);
      await this.waitForPort(this.spec.temporalUi.port, this.waitOptions(docker, ui, signal));
      report.step('ui', 'done', `http://127.0.0.1:${this.spec.temporalUi.port}`);
    }
  }

  /** Right after the start, before a segment can be complete (an earlier attempt is counted and retried). */
  private async prepareArchive(docker: Docker, plan: ContainerPlan): Promise<void> {
    if (plan.archiveVolume)
      await prepareArchiveFolders(
        docker.getContainer(plan.name),
        plan.service as 'app-postgres' | 'temporal-postgres',
      );
  }

  /** One Postgres container (re-created on another data volume after a recovery's swap) until it answers. */
  async startPostgres(id: 'app-postgres' | 'temporal-postgres'): Promise<void> {
    const { docker } = await this.engine();
    const plan = this.container(id)!;
    await this.ensureRunning(docker, plan);
    await this.prepareArchive(docker, plan);
    const endpoint = id === 'app-postgres' ? this.spec.appPostgres : this.spec.temporalPostgres;
    await waitForPostgres(endpoint, 'postgres', this.waitOptions(docker, plan, new AbortController().signal));
  }

  recoveryDriver(stamp: string) {
    return dockerRecoveryDriver(this, stamp);
  }

  private async ensureNetworkAndVolumes(docker: Docker): Promise<void> {
    const labels = this.plan.labels;
    if (this.plan.network) {
      const existing = await docker.listNetworks({ filters: { name: [this.plan.network] } });
      if (!existing.some((n) => n.Name === this.plan.network)) {
        await docker.createNetwork({ Name: this.plan.network, Driver: 'bridge', Labels: labels });
      }
    }
    for (const c of this.plan.containers) {
      if (!c.volume) continue;
      const exists = await docker
        .getVolume(c.volume)
        .inspect()
        .then(() => true)
        .catch(() => false);
      if (!exists)
        await docker.createVolume({ Name: c.volume, Labels: { ...labels, [LABEL_SERVICE]: c.service } });
    }
    const archive = this.plan.containers.find((c) => c.archiveVolume)?.archiveVolume;
    if (archive) {
      const exists = await docker
        .getVolume(archive)
        .inspect()
        .then(() => true)
        .catch(() => false);
      if (!exists) await docker.createVolume({ Name: archive, Labels: labels });
    }
  }

  private async checkPortsFree(docker: Docker, report: StepReporter): Promise<void> {
    const running = new Set(
      (await this.ownedContainers(docker))
        .filter((c) => c.State === 'running')
        .map((c) => c.Labels[LABEL_SERVICE]),
    );
    const ports: Record<ServiceId, number> = {
      'app-postgres': this.spec.appPostgres.port,
      'temporal-postgres': this.spec.temporalPostgres.port,
      temporal: this.spec.temporal.port,
      'temporal-ui': this.spec.temporalUi.port,
    };
    const wanted = this.plan.containers
      .filter((c) => !running.has(c.service))
      .map((c) => ({ service: c.service, port: ports[c.service] }));
    const taken = (await checkPorts(wanted)).filter((c) => !c.free);
    if (taken.length === 0) return;
    const text = taken
      .map((t) => `${t.port} (${t.service}) is taken by ${t.owner ?? 'another process'}`)
      .join('; ');
    report.step('ports', 'failed', text);
    throw new OpsError(
      'PORT_IN_USE',
      `Port ${text}.`,
      `Change Settings → Stack → ports (${taken.map((t) => `${t.service}: try ${t.suggestion}`).join(', ')}), or stop the other process.`,
      { ports: taken },
    );
  }

  /** Creates (or re-creates, when its settings changed) and starts one container; adopts it when running. */
  private async ensureRunning(docker: Docker, plan: ContainerPlan): Promise<void> {
    const configHash = crypto
      .createHash('sha256')
      .update(JSON.stringify(plan.create))
      .digest('hex')
      .slice(0, 16);
    const existing = docker.getContainer(plan.name);
    const info = await existing.inspect().catch(() => undefined);
    if (info && info.Config.Labels?.[LABEL_CONFIG] !== configHash) {
      // Settings changed since it was created (ports, password, image): replace it; the data volume stays.
      if (info.State.Running) await existing.stop({ t: STOP_TIMEOUT_S }).catch(() => undefined);
      await existing.remove({ force: true });
    } else if (info?.State.Running) {
      this.follow(existing, plan, { tail: 100 });
      return;
    }
    const container =
      info && info.Config.Labels?.[LABEL_CONFIG] === configHash
        ? existing
        : await docker.createContainer({
            ...plan.create,
            Labels: { ...plan.create.Labels, [LABEL_CONFIG]: configHash },
          });
    await container.start();
    this.follow(container, plan, { since: new Date(Date.now() - 1_000).toISOString() });
  }

  private follow(
    container: Docker.Container,
    plan: ContainerPlan,
    from: { since: string } | { tail: number },
  ): void {
    const logs = this.options.logs;
    if (!logs || this.following.has(plan.name)) return;
    this.following.add(plan.name);
    followContainerLog(container, from, logs.forSource(plan.service, { raw: true }), () =>
      this.following.delete(plan.name),
    );
  }

  private waitOptions(docker: Docker, plan: ContainerPlan, signal: AbortSignal, timeoutMs?: number) {
    return {
      signal,
      timeoutMs: timeoutMs ?? this.options.readyTimeoutMs ?? 120_000,
      stillRunning: async () => {
        const container = docker.getContainer(plan.name);
        const info = await container.inspect();
        if (info.State.Running) return;
        const tail = await lastLogLines(container, 5);
        throw new OpsError(
          'STACK_FAILED',
          `The ${LABELS[plan.service]} container exited during start-up (code ${info.State.ExitCode}): ${tail}`,
          `Read \`docker logs ${plan.name}\`; fix what it names, then start again.`,
        );
      },
    };
  }

  private async waitForPort(port: number, options: ReturnType<DockerProvider['waitOptions']>): Promise<void> {
    const deadline = Date.now() + options.timeoutMs;
    while (!(await portAnswers(port))) {
      await options.stillRunning();
      if (options.signal.aborted || Date.now() > deadline) {
        throw new OpsError('TIMEOUT', `Nothing answers on 127.0.0.1:${port}.`, 'Read the Temporal UI log.');
      }
      await sleep(250);
    }
  }

  private async ownedContainers(docker: Docker): Promise<Docker.ContainerInfo[]> {
    return docker.listContainers({ all: true, filters: ownedFilter(this.plan.stackId) });
  }

  /** Stops this stack's containers, dependants first; containers without our labels are never touched. */
  async stop(options: { discarding?: boolean } = {}): Promise<void> {
    const { docker } = await this.engine();
    const owned = await this.ownedContainers(docker);
    const byService = (ids: ServiceId[]) =>
      owned.filter((c) => ids.includes(c.Labels[LABEL_SERVICE] as ServiceId) && c.State === 'running');
    for (const group of [
      ['temporal-ui'],
      ['temporal'],
      ['app-postgres', 'temporal-postgres'],
    ] as ServiceId[][]) {
      await Promise.all(
        byService(group).map((c) =>
          docker
            .getContainer(c.Id)
            .stop({
              // Before a recovery Temporal's state is about to be replaced: no graceful shutdown to wait for.
              t: options.discarding && c.Labels[LABEL_SERVICE] === 'temporal' ? 0 : STOP_TIMEOUT_S,
            })
            .catch((err: { statusCode?: number }) => {
              if (err.statusCode !== 304) throw err; // 304: already stopped
            }),
        ),
      );
    }
  }

  /** Stops and removes this stack's containers and network; its data volumes only when asked. */
  async remove(options: { deleteVolumes?: boolean; deleteData?: boolean } = {}): Promise<RemoveResult> {
    await this.stop();
    const { docker } = await this.engine();
    const filters = ownedFilter(this.plan.stackId);
    const removed: string[] = [];
    for (const c of await this.ownedContainers(docker)) {
      await docker.getContainer(c.Id).remove({ force: true });
      removed.push(c.Names?.[0]?.replace(/^\//, '') ?? c.Id);
    }
    for (const n of await docker.listNetworks({ filters })) {
      await docker.getNetwork(n.Id).remove();
      removed.push(n.Name);
    }
    const deleteData = Boolean(options.deleteVolumes ?? options.deleteData);
    if (deleteData) {
      const { Volumes } = await docker.listVolumes({ filters });
      for (const v of Volumes ?? []) {
        await docker.getVolume(v.Name).remove();
        removed.push(v.Name);
      }
      // The volumes a recovery moved the clusters to are gone too: the next start begins on fresh ones.
      forgetDataVolumes(this.spec.dataDir);
    }
    return { removed, dataKept: !deleteData };
  }

  async restartService(service: ServiceId): Promise<void> {
    const { docker } = await this.engine();
    const found = (await this.ownedContainers(docker)).find((c) => c.Labels[LABEL_SERVICE] === service);
    if (!found) {
      throw new OpsError(
        'NOT_FOUND',
        `${LABELS[service]} has no container in this stack.`,
        'Start the stack first (Stack → Start all).',
      );
    }
    await docker.getContainer(found.Id).restart({ t: STOP_TIMEOUT_S });
  }

  /** The container of a service in this stack (backups run pg_dump and pg_restore inside it). */
  async serviceContainer(service: ServiceId): Promise<Docker.Container> {
    const { docker } = await this.engine();
    const found = (await this.ownedContainers(docker)).find((c) => c.Labels[LABEL_SERVICE] === service);
    if (!found)
      throw new OpsError(
        'NOT_FOUND',
        `${LABELS[service]} has no container in this stack.`,
        'Start the stack first (Stack → Start all).',
      );
    return docker.getContainer(found.Id);
  }

  async stopService(service: ServiceId, options: { discarding?: boolean } = {}): Promise<void> {
    const container = await this.serviceContainer(service);
    await container
      .stop({ t: options.discarding ? 0 : STOP_TIMEOUT_S })
      .catch((err: { statusCode?: number }) => {
        if (err.statusCode !== 304) throw err; // 304: already stopped
      });
  }

  async startService(service: ServiceId): Promise<void> {
    const container = await this.serviceContainer(service);
    const { docker } = await this.engine();
    await container.start().catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 304) throw err; // 304: already running
    });
    const plan = this.container(service);
    if (service === 'temporal' && plan)
      await waitForTemporal(
        `127.0.0.1:${this.spec.temporal.port}`,
        this.waitOptions(docker, plan, new AbortController().signal),
      );
  }

  /** Both clusters' WAL archives and base backups, in the archive volume, read through their containers. */
  archivedClusters() {
    const cluster = (
      id: 'app-postgres' | 'temporal-postgres',
      endpoint: StackSpec['appPostgres' | 'temporalPostgres'],
    ) =>
      new DockerArchivedCluster(
        id,
        endpoint,
        Boolean(this.options.archiving?.enabled),
        () => this.serviceContainer(id),
        this.settings.network === 'host' ? endpoint.port : 5432,
        archiveVolumeName(this.plan.stackId),
      );
    return {
      app: cluster('app-postgres', this.spec.appPostgres),
      tpg: cluster('temporal-postgres', this.spec.temporalPostgres),
    };
  }

  /** Each service as its container's inspect shows it; touches nothing. */
  async services(): Promise<ServiceStatus[]> {
    const ports: Record<ServiceId, number> = {
      'app-postgres': this.spec.appPostgres.port,
      'temporal-postgres': this.spec.temporalPostgres.port,
      temporal: this.spec.temporal.port,
      'temporal-ui': this.spec.temporalUi.port,
    };
    const ids: ServiceId[] = ['app-postgres', 'temporal-postgres', 'temporal', 'temporal-ui'];
    let docker: Docker;
    try {
      docker = (await this.engine()).docker;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return ids.map((id) => ({
        id,
        label: LABELS[id],
        state: 'failed',
        health: 'failed',
        port: ports[id],
        message,
      }));
    }
    const owned = await this.ownedContainers(docker);
    return Promise.all(
      ids.map(async (id): Promise<ServiceStatus> => {
        const base = { id, label: LABELS[id], port: ports[id] };
        if (!this.container(id)) return { ...base, state: 'disabled', health: 'off' };
        const found = owned.find((c) => c.Labels[LABEL_SERVICE] === id);
        if (!found) return { ...base, state: 'stopped', health: 'unknown' };
        const info = await docker
          .getContainer(found.Id)
          .inspect()
          .catch(() => undefined);
        if (!info) return { ...base, state: 'stopped', health: 'unknown' };
        return { ...base, ...stateOf(info), version: this.versions.get(id) ?? imageTag(info.Config.Image) };
      }),
    );
  }
}

/** A container's inspect as a service's state and health. */
export function stateOf(
  info: Docker.ContainerInspectInfo,
): Pick<ServiceStatus, 'state' | 'health' | 'pid' | 'startedAt' | 'message'> {
  const s = info.State;
  if (s.Running) {
    const health = s.Health?.Status;
    return {
      state: 'running',
      health: health === 'unhealthy' ? 'failed' : health === 'starting' ? 'unknown' : 'healthy',
      pid: s.Pid || undefined,
      startedAt: s.StartedAt,
    };
  }
  if (s.Restarting) return { state: 'starting', health: 'unknown' };
  const crashed = s.Status === 'exited' && s.ExitCode !== 0 && !s.OOMKilled ? s.ExitCode : undefined;
  return {
    state: 'stopped',
    health: 'unknown',
    message:
      s.Error ||
      (s.OOMKilled
        ? 'killed: out of memory'
        : crashed !== undefined
          ? `exited with code ${crashed}`
          : undefined),
  };
}

function imageTag(image: string): string | undefined {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? image.slice(at + 1) : undefined;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, timeout: 1_000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}
