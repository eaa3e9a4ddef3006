// The embedded default: two PostgreSQL clusters and the Temporal server as supervised native processes.
import fs from 'node:fs';
import path from 'node:path';
import { OpsError, toErrorShape, type ServiceId, type ServiceStatus, type Settings } from '../../api';
import type { LogBus } from '../../logs';
import { resolveBinaries, type StackBinaries } from '../binaries';
import { processStart, temporalVersion } from './service-info';
import { ensurePortsFree } from '../ports';
import type { PostgresEndpoint, RemoveResult, StackProvider, StackSpec, StepReporter } from '../provider';
import type { PgTools } from '../pg-tools';
import { LocalTools } from './pg-tools';
import { LogTail, lastLines } from './log-tail';
import { PostgresCluster } from './postgres';
import { postgresRunAs, ensureOwnedDir } from './run-as';
import { LocalTemporal } from './temporal';
import { LocalTemporalUi } from './ui';
import { setPasswordSingleUser } from './superuser-reset';
import { recoveriesInProgress, rollBackInterrupted } from '../pitr/journal';
import { localArchivedCluster } from './archived-cluster';
import { localRecoveryDriver } from './recovery-driver';
import { SERVICE_LABELS } from '../service-labels';
import { ServiceYield, servicesNiceness } from '../priority';

export class LocalProvider implements StackProvider {
  readonly kind = 'local' as const;
  private bin: StackBinaries | undefined;
  private readonly versions = new Map<ServiceId, string>();
  private readonly startedAt = new Map<ServiceId, string>();
  private readonly tails = new Map<ServiceId, LogTail>();
  /** Services this console started (and so stops at shutdown); adopted ones are left running. */
  private readonly owned = new Set<ServiceId>();
  private yielding: ServiceYield | undefined;
  private yieldSoon: NodeJS.Immediate | undefined;

  constructor(
    private readonly spec: StackSpec,
    private readonly settings: Settings,
    private readonly logs: LogBus,
  ) {}

  private binaries(): StackBinaries {
    this.bin ??= resolveBinaries(this.settings, { ui: this.spec.temporalUi.enabled });
    return this.bin;
  }

  private parts() {
    const bin = this.binaries();
    const runAs = postgresRunAs();
    return {
      app: new PostgresCluster(
        'app-postgres',
        this.spec.dataDir,
        this.spec.appPostgres,
        bin,
        runAs,
        this.logs.forSource('app-postgres'),
        this.settings.stack.archiving,
      ),
      tpg: new PostgresCluster(
        'temporal-postgres',
        this.spec.dataDir,
        this.spec.temporalPostgres,
        bin,
        runAs,
        this.logs.forSource('temporal-postgres'),
        this.settings.stack.archiving,
      ),
      temporal: new LocalTemporal(this.spec.dataDir, this.spec, bin, this.logs.forSource('temporal')),
      ui: bin.temporalUiServer
        ? new LocalTemporalUi(this.spec.dataDir, this.spec, bin.temporalUiServer)
        : undefined,
      runAs,
    };
  }

  /** Both clusters, for point-in-time recovery (archive, base backups, data folders). */
  clusters(): { app: PostgresCluster; tpg: PostgresCluster } {
    const { app, tpg } = this.parts();
    return { app, tpg };
  }

  archivedClusters() {
    const { app, tpg } = this.parts();
    return { app: localArchivedCluster(app), tpg: localArchivedCluster(tpg) };
  }

  recoveryDriver(stamp: string) {
    const { app, tpg } = this.parts();
    return localRecoveryDriver(this.spec.dataDir, [app, tpg], stamp, (id) => this.startCluster(id));
  }

  /**
   * Starts one cluster on its folder and port, counted as this console's (a recovery replays there first). At normal
   * priority, like any start: the operator waits on the replay, and the services yield again once the stack that
   * follows it runs.
   */
  async startCluster(id: 'app-postgres' | 'temporal-postgres'): Promise<void> {
    const { app, tpg } = this.parts();
    const cluster = id === 'app-postgres' ? app : tpg;
    const wasRunning = Boolean(cluster.pid());
    await cluster.start();
    if (!wasRunning) {
      this.owned.add(id);
      this.startedAt.set(id, new Date().toISOString());
    }
    this.follow(id, cluster.logFile);
  }

  startSteps() {
    const steps = [
      { id: 'binaries', label: 'Find binaries' },
      { id: 'ports', label: 'Check ports' },
      { id: 'postgres', label: 'Start both PostgreSQL clusters' },
      { id: 'databases', label: 'Create databases' },
      { id: 'schema', label: 'Temporal schema' },
      { id: 'temporal', label: 'Start Temporal server' },
      { id: 'namespace', label: 'Register namespace' },
    ];
    if (this.spec.temporalUi.enabled) steps.push({ id: 'ui', label: 'Start Temporal Web UI' });
    return steps;
  }

  catchUpLogs(): void {
    if (this.tails.size) {
      for (const tail of this.tails.values()) tail.drain();
      return;
    }
    const { app, tpg, temporal, ui } = this.parts();
    const files: Array<[ServiceId, string]> = [
      ['app-postgres', app.logFile],
      ['temporal-postgres', tpg.logFile],
      ['temporal', temporal.server.logFile],
    ];
    if (ui) files.push(['temporal-ui', ui.server.logFile]);
    // One-shot (a CLI command may exit right after): the offset is written before it returns.
    for (const [id, file] of files)
      new LogTail(file, this.logs.forSource(id, { raw: true }), false).drain(true);
  }

  private follow(id: ServiceId, file: string): void {
    if (this.tails.has(id)) return;
    const tail = new LogTail(file, this.logs.forSource(id, { raw: true }), false);
    tail.start();
    this.tails.set(id, tail);
  }

  async start(report: StepReporter, signal: AbortSignal): Promise<void> {
    report.step('binaries', 'running');
    const { app, tpg, temporal, ui, runAs } = this.parts();
    report.step('binaries', 'done', runAs ? 'PostgreSQL runs as the postgres user' : undefined);
    // A recovery killed half-way leaves a journal: put the previous databases back before anything starts.
    if (!recoveriesInProgress.has(this.spec.dataDir)) {
      const rolledBack = rollBackInterrupted(this.spec.dataDir);
      if (rolledBack) this.logs.write('stack', 'warn', rolledBack);
    }

    report.step('ports', 'running');
    const wanted: Array<{ service: ServiceId; port: number }> = [];
    if (!app.pid()) wanted.push({ service: 'app-postgres', port: this.spec.appPostgres.port });
    if (!tpg.pid()) wanted.push({ service: 'temporal-postgres', port: this.spec.temporalPostgres.port });
    if (!temporal.server.pid()) wanted.push({ service: 'temporal', port: this.spec.temporal.port });
    if (ui && this.spec.temporalUi.enabled && !ui.server.pid())
      wanted.push({ service: 'temporal-ui', port: this.spec.temporalUi.port });
    await ensurePortsFree(wanted, report, 2000);
    report.step('ports', 'done');

    report.step('postgres', 'running');
    // A Temporal cluster that existed before this start has its databases and nearly always a current schema:
    // the server then boots while they are checked, and a check that finds work stops it first.
    const warmTemporal = tpg.isInitialized();
    const temporalWasRunning = Boolean(temporal.server.pid());
    ensureOwnedDir(this.spec.dataDir, runAs, 0o755);
    // Where a restore hands the servers table data through named pipes (pgTools).
    ensureOwnedDir(this.pipesDir(), runAs, 0o700);
    await Promise.all(
      [app, tpg].map(async (cluster) => {
        const wasRunning = Boolean(cluster.pid());
        if (!cluster.isInitialized()) await cluster.init();
        await cluster.start();
        if (!wasRunning) {
          this.owned.add(cluster.id);
          this.startedAt.set(cluster.id, new Date().toISOString());
        }
        this.follow(cluster.id, cluster.logFile);
      }),
    );
    report.step('postgres', 'done');
    if (signal.aborted) return;
    const early = warmTemporal && !temporalWasRunning ? temporal.launch() : undefined;
    if (early) {
      this.owned.add('temporal');
      this.startedAt.set('temporal', new Date().toISOString());
      early.catch(() => undefined); // awaited at the schema step
    }

    report.step('databases', 'running');
    const [appDbs, tpgDbs] = await Promise.all([
      // One database against the other cluster's two: its migrations start while those are still created.
      app.ensureDatabases().then((dbs) => {
        report.appDbReady?.();
        return dbs;
      }),
      tpg.ensureDatabases(),
    ]);
    this.versions.set('app-postgres', appDbs.version);
    this.versions.set('temporal-postgres', tpgDbs.version);
    report.step('databases', 'done');

    report.step('schema', 'running');
    let upgraded: string[] = [];
    if (early) {
      await early;
      if (!(await temporal.schemasCurrent())) {
        await temporal.stop(0);
        upgraded = await temporal.ensureSchemas(tpgDbs.created);
      }
    } else upgraded = await temporal.ensureSchemas(tpgDbs.created);
    report.step('schema', 'done', upgraded.length ? `set up ${upgraded.join(', ')}` : 'up to date');
    if (signal.aborted) return;

    report.step('temporal', 'running');
    this.follow('temporal', temporal.server.logFile);
    const answering = await temporal.startAnswering(signal);
    // The answer named the server's version: the status after the start asks no second time (a new channel and its
    // handshake, on the start's last stretch), and a server upgraded since the last start shows its new version.
    if (temporal.answeredVersion) this.versions.set('temporal', temporal.answeredVersion);
    if (!temporalWasRunning) {
      this.owned.add('temporal');
      this.startedAt.set('temporal', new Date().toISOString());
    }
    report.step('temporal', 'done');

    // The namespace and the Web UI need only the frontend: the UI boots while the namespace is checked.
    report.step('namespace', 'running');
    const namespace = temporal
      .ensureNamespace(answering)
      .finally(() => answering.close())
      .then(
        (registered) =>
          report.step(
            'namespace',
            'done',
            registered ? `registered ${this.spec.temporal.namespace}` : 'exists',
          ),
        (err: unknown) => {
          report.step('namespace', 'failed', toErrorShape(err).message);
          throw err;
        },
      );
    const webUi = ui && this.spec.temporalUi.enabled ? this.startUi(ui, report, signal) : undefined;
    // Both settle before a failure of either is thrown, so nothing runs on after it.
    const [ns, web] = await Promise.allSettled([namespace, webUi]);
    for (const r of [ns, web]) if (r.status === 'rejected') throw r.reason;
    this.yieldCpu();
  }

  /**
   * Once they run, the services yield the CPU to the console when the settings say so (stack/priority.ts): every
   * process of each service, every thread of those processes and their sessions' shares, looked over again every
   * few seconds for the processes started since (a Postgres backend per new connection). They start at normal
   * priority, so a start on a busy machine takes no longer for it.
   */
  private yieldCpu(): void {
    // Once the start has returned: the first look reads every process on the machine and lowers each service
    // thread by thread, none of which the operator should wait on (under load, a warm start returned about 50 ms
    // sooner for it).
    clearImmediate(this.yieldSoon);
    this.yieldSoon = setImmediate(() => {
      this.yieldSoon = undefined;
      this.yieldNow();
    });
  }

  private yieldNow(): void {
    this.yielding ??= new ServiceYield(
      () => {
        const { app, tpg, temporal, ui } = this.parts();
        return [app.pid(), tpg.pid(), temporal.server.pid(), ui?.server.pid()];
      },
      servicesNiceness(this.settings),
      (why) =>
        this.logs.write(
          'stack',
          'warn',
          `The services' sessions keep their full CPU share: ${why}. Their threads still run below the console.`,
        ),
    );
    this.yielding.start();
  }

  release(): void {
    clearImmediate(this.yieldSoon);
    this.yielding?.stop();
  }

  private async startUi(ui: LocalTemporalUi, report: StepReporter, signal: AbortSignal): Promise<void> {
    report.step('ui', 'running');
    const uiWasRunning = Boolean(ui.server.pid());
    this.follow('temporal-ui', ui.server.logFile);
    try {
      await ui.start(signal);
    } catch (err) {
      report.step('ui', 'failed', toErrorShape(err).message);
      throw err;
    }
    if (!uiWasRunning) this.owned.add('temporal-ui');
    report.step('ui', 'done', ui.url);
  }

  pgTools(_cluster: 'app-postgres' | 'temporal-postgres', endpoint: PostgresEndpoint): PgTools {
    // Resolved on each call, without the Web UI: a backup needs only PostgreSQL's programs. The servers run here,
    // so a restore can hand them table data through named pipes in a folder of theirs.
    const bin = resolveBinaries(this.settings, { ui: false });
    // Made by the stack's start; a stack started by an older console has none, and its restores use the session.
    if (process.platform === 'win32' || !fs.existsSync(this.pipesDir())) return new LocalTools(bin, endpoint);
    const runAs = postgresRunAs();
    return new LocalTools(bin, endpoint, {
      dir: this.pipesDir(),
      owner: runAs && { uid: runAs.uid, gid: runAs.gid },
    });
  }

  private pipesDir(): string {
    return path.join(this.spec.dataDir, 'pipes');
  }

  shutdown(): Promise<void> {
    return this.stop({ onlyOwned: true });
  }

  async stop(options: { onlyOwned?: boolean; discarding?: boolean } = {}): Promise<void> {
    const { app, tpg, temporal, ui } = this.parts();
    const stops = (id: ServiceId) => !options.onlyOwned || this.owned.has(id);
    if (ui && stops('temporal-ui')) await ui.stop();
    // Its graceful shutdown takes a second or more (membership drain); before a recovery it buys nothing.
    if (stops('temporal')) await temporal.stop(options.discarding ? 0 : undefined);
    await Promise.all([app, tpg].filter((c) => stops(c.id)).map((c) => c.stop()));
    for (const tail of this.tails.values()) tail.stop();
    this.tails.clear();
    this.owned.clear();
    this.release(); // the yield, or its first look still to come
  }

  async resetPassword(id: 'app-postgres' | 'temporal-postgres', password: string): Promise<void> {
    const { app, tpg, runAs } = this.parts();
    const cluster = id === 'app-postgres' ? app : tpg;
    if (!cluster.isInitialized())
      throw new OpsError(
        'NOT_FOUND',
        `${SERVICE_LABELS[id]} has no cluster yet.`,
        'Start the stack: it sets one up with a new password.',
      );
    await this.stop();
    await setPasswordSingleUser({
      postgres: this.binaries().postgres,
      dataDir: cluster.dataDir,
      runAs,
      role: this.spec.appPostgres.user,
      password,
    });
    this.logs.write(
      'stack',
      'warn',
      `${SERVICE_LABELS[id]}: the console's password was reset through the cluster's superuser route`,
    );
  }

  /** The local stack has nothing but processes and its data folder: remove stops it and moves the data aside. */
  async remove(options: { deleteData: boolean }): Promise<RemoveResult> {
    await this.stop();
    if (!options.deleteData || !fs.existsSync(this.spec.dataDir)) return { removed: [], dataKept: true };
    const movedTo = `${this.spec.dataDir}.removed-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(this.spec.dataDir, movedTo);
    this.logs.write(
      'stack',
      'warn',
      `stack data moved aside to ${movedTo}; delete that folder when you are sure`,
    );
    return { removed: [this.spec.dataDir], dataKept: false, movedTo };
  }

  async restartService(service: ServiceId): Promise<void> {
    const { app, tpg, temporal, ui } = this.parts();
    const signal = new AbortController().signal;
    if (service === 'app-postgres' || service === 'temporal-postgres') {
      const cluster = service === 'app-postgres' ? app : tpg;
      await cluster.stop();
      await cluster.start();
    } else if (service === 'temporal') {
      await temporal.stop();
      await temporal.start(signal);
    } else if (ui) {
      await ui.stop();
      await ui.start(signal);
    }
    this.startedAt.set(service, new Date().toISOString());
    this.yieldCpu();
  }

  async stopService(service: ServiceId, options: { discarding?: boolean } = {}): Promise<void> {
    const { app, tpg, temporal, ui } = this.parts();
    if (service === 'app-postgres') await app.stop();
    else if (service === 'temporal-postgres') await tpg.stop();
    else if (service === 'temporal') await temporal.stop(options.discarding ? 0 : undefined);
    else await ui?.stop();
  }

  async startService(service: ServiceId): Promise<void> {
    const { app, tpg, temporal, ui } = this.parts();
    const signal = new AbortController().signal;
    if (service === 'app-postgres') await app.start();
    else if (service === 'temporal-postgres') await tpg.start();
    else if (service === 'temporal') {
      // A restored Temporal DB may hold an older schema than this server's: bring it up to date first.
      await temporal.ensureSchemas();
      await temporal.start(signal);
    } else await ui?.start(signal);
    this.startedAt.set(service, new Date().toISOString());
    this.yieldCpu();
  }

  /** Pids and versions as they are now; touches nothing. */
  async services(): Promise<ServiceStatus[]> {
    let parts;
    try {
      parts = this.parts();
    } catch (err) {
      const message = err instanceof OpsError ? err.message : String(err);
      return (['app-postgres', 'temporal-postgres', 'temporal', 'temporal-ui'] as ServiceId[]).map((id) => ({
        id,
        label: SERVICE_LABELS[id],
        state: 'failed' as const,
        health: 'failed' as const,
        message,
      }));
    }
    const { app, tpg, temporal, ui } = parts;
    const status = (
      id: ServiceId,
      port: number,
      pid: number | undefined,
      logFile: string,
    ): ServiceStatus => ({
      id,
      label: SERVICE_LABELS[id],
      state: pid ? 'running' : 'stopped',
      health: pid ? 'healthy' : 'unknown',
      port,
      pid,
      version: this.versions.get(id),
      startedAt: pid ? (this.startedAt.get(id) ?? processStart(pid)) : undefined,
      message: pid ? undefined : fs.existsSync(logFile) ? lastLines(logFile, 1) || undefined : undefined,
    });
    const list = [
      status('app-postgres', this.spec.appPostgres.port, app.pid(), app.logFile),
      status('temporal-postgres', this.spec.temporalPostgres.port, tpg.pid(), tpg.logFile),
      status('temporal', this.spec.temporal.port, temporal.server.pid(), temporal.server.logFile),
    ];
    if (!this.versions.has('temporal') && temporal.server.pid()) {
      this.versions.set('temporal', await temporalVersion(temporal.address));
      list[2]!.version = this.versions.get('temporal');
    }
    if (this.spec.temporalUi.enabled && ui)
      list.push(status('temporal-ui', this.spec.temporalUi.port, ui.server.pid(), ui.server.logFile));
    else
      list.push({
        id: 'temporal-ui',
        label: SERVICE_LABELS['temporal-ui'],
        state: 'disabled',
        health: 'off',
        port: this.spec.temporalUi.port,
      });
    return list;
  }
}
