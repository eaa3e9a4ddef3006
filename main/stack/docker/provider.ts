// The Docker provider: the same four services as the local one, as labelled containers on a Docker engine.
// The steps live beside it: lifecycle (containers, network, volumes), readiness, archiving, status.
import type Docker from 'dockerode';
import type { ServiceId, ServiceStatus } from '../../api';
import type { LogBus } from '../../logs';
import type { PostgresEndpoint, RemoveResult, StackProvider, StackSpec, StepReporter } from '../provider';
import type { PgTools } from '../pg-tools';
import { DockerTools } from './pg-tools';
import {
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
import { followContainerLog } from './container-logs';
import { ensureImage } from './images';
import {
  checkPortsFree,
  ensureNetworkAndVolumes,
  ensureRunning,
  findServiceContainer,
  removeOwned,
  startContainer,
  stopContainer,
  stopOwned,
  STOP_TIMEOUT_S,
  type FollowFrom,
} from './lifecycle';
import {
  containerWaitOptions,
  ensureDatabases,
  ensureNamespace,
  waitForPort,
  waitForPostgres,
  waitForTemporal,
} from './readiness';
import { DockerArchivedCluster, prepareArchive } from './wal';
import { dockerRecoveryDriver, forgetDataVolumes, readDataVolumes, rollBackDockerRecovery } from './recovery';
import { serviceStatuses } from './status';
import { recoveriesInProgress } from '../pitr/journal';

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
  /** The containers' CPU share below Docker's 1024 when the services yield to the console (stack/priority.ts). */
  cpuShares?: number;
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
      cpuShares: this.options.cpuShares,
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
    await ensureNetworkAndVolumes(docker, this.plan);
    report.step('network', 'done', this.plan.network ?? 'host network');

    report.step('ports', 'running');
    await checkPortsFree(docker, this.plan, this.ports(), report);
    report.step('ports', 'done');

    report.step('postgres', 'running');
    const app = this.container('app-postgres') as ContainerPlan;
    const tpg = this.container('temporal-postgres') as ContainerPlan;
    await Promise.all([this.ensureRunning(docker, app), this.ensureRunning(docker, tpg)]);
    await Promise.all([prepareArchive(docker, app), prepareArchive(docker, tpg)]);
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
      await waitForPort(this.spec.temporalUi.port, this.waitOptions(docker, ui, signal));
      report.step('ui', 'done', `http://127.0.0.1:${this.spec.temporalUi.port}`);
    }
  }

  /** One Postgres container (re-created on another data volume after a recovery's swap) until it answers. */
  async startPostgres(id: 'app-postgres' | 'temporal-postgres'): Promise<void> {
    const { docker } = await this.engine();
    const plan = this.container(id)!;
    await this.ensureRunning(docker, plan);
    await prepareArchive(docker, plan);
    const endpoint = id === 'app-postgres' ? this.spec.appPostgres : this.spec.temporalPostgres;
    await waitForPostgres(endpoint, 'postgres', this.waitOptions(docker, plan, new AbortController().signal));
  }

  recoveryDriver(stamp: string) {
    return dockerRecoveryDriver(this, stamp);
  }

  private ports(): Record<ServiceId, number> {
    return {
      'app-postgres': this.spec.appPostgres.port,
      'temporal-postgres': this.spec.temporalPostgres.port,
      temporal: this.spec.temporal.port,
      'temporal-ui': this.spec.temporalUi.port,
    };
  }

  private ensureRunning(docker: Docker, plan: ContainerPlan): Promise<void> {
    return ensureRunning(docker, plan, (container, p, from) => this.follow(container, p, from));
  }

  private follow(container: Docker.Container, plan: ContainerPlan, from: FollowFrom): void {
    const logs = this.options.logs;
    if (!logs || this.following.has(plan.name)) return;
    this.following.add(plan.name);
    followContainerLog(container, from, logs.forSource(plan.service, { raw: true }), () =>
      this.following.delete(plan.name),
    );
  }

  private waitOptions(docker: Docker, plan: ContainerPlan, signal: AbortSignal, timeoutMs?: number) {
    return containerWaitOptions(docker, plan, signal, timeoutMs ?? this.options.readyTimeoutMs ?? 120_000);
  }

  /** Stops this stack's containers, dependants first; containers without our labels are never touched. */
  async stop(options: { discarding?: boolean } = {}): Promise<void> {
    const { docker } = await this.engine();
    await stopOwned(docker, this.plan.stackId, options.discarding);
  }

  /** Stops and removes this stack's containers and network; its data volumes only when asked. */
  async remove(options: { deleteVolumes?: boolean; deleteData?: boolean } = {}): Promise<RemoveResult> {
    await this.stop();
    const { docker } = await this.engine();
    const deleteData = Boolean(options.deleteVolumes ?? options.deleteData);
    const removed = await removeOwned(docker, this.plan.stackId, deleteData);
    // The volumes a recovery moved the clusters to are gone too: the next start begins on fresh ones.
    if (deleteData) forgetDataVolumes(this.spec.dataDir);
    return { removed, dataKept: !deleteData };
  }

  async restartService(service: ServiceId): Promise<void> {
    const { docker } = await this.engine();
    const found = await findServiceContainer(docker, this.plan.stackId, service);
    await docker.getContainer(found.Id).restart({ t: STOP_TIMEOUT_S });
  }

  /** The container of a service in this stack (backups run pg_dump and pg_restore inside it). */
  async serviceContainer(service: ServiceId): Promise<Docker.Container> {
    const { docker } = await this.engine();
    return docker.getContainer((await findServiceContainer(docker, this.plan.stackId, service)).Id);
  }

  /** The tools run inside the cluster's container, on the port its server listens on there. */
  pgTools(cluster: 'app-postgres' | 'temporal-postgres', endpoint: PostgresEndpoint): PgTools {
    const inside = this.settings.network === 'host' ? endpoint.port : 5432;
    return new DockerTools(() => this.serviceContainer(cluster), endpoint, inside);
  }

  async stopService(service: ServiceId, options: { discarding?: boolean } = {}): Promise<void> {
    await stopContainer(await this.serviceContainer(service), options.discarding);
  }

  async startService(service: ServiceId): Promise<void> {
    const container = await this.serviceContainer(service);
    const { docker } = await this.engine();
    await startContainer(container);
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
  services(): Promise<ServiceStatus[]> {
    return serviceStatuses({
      engine: async () => (await this.engine()).docker,
      stackId: this.plan.stackId,
      ports: this.ports(),
      planned: (id) => this.container(id) !== undefined,
      versions: this.versions,
    });
  }
}
