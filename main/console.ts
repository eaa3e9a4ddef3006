// The composition root: builds the router and wires every capability into it. Both transports and the CLI use it.
import fs from 'node:fs';
import os from 'node:os';
import { Router } from './api';
import type { AppInfo, EventPayload, LogLine, SettingsView } from './api';
import { LogBus, LogFiles, registerLogOperations, rotationOf, type Logger } from './logs';
import { FileSecretStore, SettingsStore, defaultDataDir, type SecretStore } from './settings';
import { AppDbPool, migrateAppDb, ProgressListener } from './db';
import { CycleService, HumanStepService, NamespaceService } from './temporal';
import { RecoveryService } from './recovery';
import { InspectionService } from './inspection';
import { BackupService } from './backup';
import { ReplayCheckService, WorkerSupervisor, rolledOutBundle } from './supervisor';
import { SagaService } from './saga';
import {
  StackManager,
  lowerPostgresBackend,
  postgresUrl,
  resolveStackSpec,
  servicesNiceness,
  skippedProbeCheck,
  validateStack,
  type StackSpec,
} from './stack';
import { ProfileService } from './profiles';
import { AuditStore, redact } from './audit';
import type { ConsoleContext, ConsoleModule, ModuleFactory, TemporalContainerOverride } from './context';
import type { WorkerConfig } from '../shared/worker-protocol';
import { resourceLayout } from './resources';
import { registerWebUi } from './web-ui';

export type { ConsoleContext, ConsoleModule, ModuleFactory } from './context';

export const CONSOLE_VERSION = '0.1.0';

export interface ConsoleOptions {
  mode: AppInfo['mode'];
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  secrets?: SecretStore;
  /** `--profile`: look at this connection profile in this process, without changing the saved choice. */
  profile?: string;
  echoLogs?: (line: LogLine) => void;
  /** Another image or command for Temporal on the Docker provider (an operator's own image; the tests' image). */
  dockerTemporal?: TemporalContainerOverride;
  /** Why secrets are not in the system keychain (said once in the log, and shown in Settings). */
  secretStoreNotice?: string;
}

export class OpsConsole implements ConsoleContext {
  readonly router = new Router();
  readonly logs: LogBus;
  /** Every line of the bus, on disk under <data folder>/logs, one rotated file per service, worker and console. */
  readonly logFiles: LogFiles;
  readonly settings: SettingsStore;
  readonly secrets: SecretStore;
  readonly dataDir: string;
  readonly mode: AppInfo['mode'];
  readonly longRunning: boolean;
  readonly profiles: ProfileService;
  readonly audit: AuditStore;
  readonly dockerTemporal?: TemporalContainerOverride;
  private readonly secretStoreNotice?: string;
  private readonly modules: ConsoleModule[] = [];
  private shuttingDown: Promise<void> | undefined;

  constructor(options: ConsoleOptions) {
    this.mode = options.mode;
    this.longRunning = options.mode !== 'cli';
    this.dockerTemporal = options.dockerTemporal;
    this.dataDir = options.dataDir ?? defaultDataDir(options.env);
    fs.mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    this.logs = new LogBus(this.router.events, 20_000, options.echoLogs);
    this.settings = new SettingsStore(this.dataDir, options.env);
    this.logFiles = new LogFiles(this.dataDir, () => rotationOf(this.settings.get()));
    this.logs.addSink((line, raw) => this.logFiles.write(line, raw));
    registerLogOperations(this.router, this.logFiles);
    this.secrets = options.secrets ?? new FileSecretStore(this.dataDir);
    this.profiles = new ProfileService({
      dataDir: this.dataDir,
      secrets: this.secrets,
      override: options.profile,
    });
    this.audit = new AuditStore(this.dataDir);
    this.secretStoreNotice = options.secretStoreNotice;
    if (options.secretStoreNotice) this.log('console').warn(options.secretStoreNotice);
    this.wireProfilesAndAudit();

    this.router.register({
      'app.info': () => ({
        name: 'Ops Console',
        version: CONSOLE_VERSION,
        mode: this.mode,
        platform: `${os.platform()} ${os.arch()}`,
        node: process.version,
        dataDir: this.dataDir,
        pid: process.pid,
        resources: { packaged: resourceLayout().packaged, dir: resourceLayout().resourcesDir },
      }),
      'logs.recent': (input) => this.logs.recent(input),
      'settings.get': () => this.settingsView(),
      'settings.update': (patch) => {
        this.settings.update(patch);
        const view = this.settingsView();
        this.router.events.emit('settings.changed', view);
        this.log('console').info('settings saved');
        return view;
      },
    });
  }

  log(source: string): Logger {
    return this.logs.forSource(source);
  }

  private settingsView(): SettingsView {
    let lost: Array<'app-postgres' | 'temporal-postgres'> = [];
    try {
      const spec = resolveStackSpec(this.settings.get(), this.secrets, this.dataDir, this.profiles.active());
      lost = (spec.lostSecrets ?? []).map((l) => l.cluster);
    } catch {
      // an unreadable profile says so where it is used; the settings still show
    }
    return {
      ...this.settings.view(),
      secretStore: {
        kind: this.secrets.kind,
        ...(this.secretStoreNotice ? { notice: this.secretStoreNotice } : {}),
        lost,
      },
    };
  }

  /** The production lock at the router, and every write (done, failed or refused) into the audit trail. */
  private wireProfilesAndAudit(): void {
    let operator = 'unknown';
    try {
      operator = os.userInfo().username;
    } catch {
      operator = process.env.USER ?? 'unknown';
    }
    // The profile in force when a write came in (profiles.use changes it before the entry is written).
    const before = new WeakMap<object, ReturnType<ProfileService['mode']>>();
    this.router.setWriteGuard((op, input) => {
      if (input && typeof input === 'object') before.set(input, this.profiles.mode());
      this.profiles.guard(op, input);
    });
    this.router.setWriteObserver((op, input, outcome, durationMs, caller) => {
      const mode =
        (input && typeof input === 'object' ? before.get(input) : undefined) ?? this.profiles.mode();
      try {
        const entry = this.audit.append({
          time: new Date().toISOString(),
          profile: mode.name,
          production: mode.production,
          operator: caller.actor === 'scheduler' ? 'scheduler' : operator,
          via: caller.actor === 'scheduler' ? 'scheduler' : (caller.via ?? this.mode),
          op,
          input: redact(input),
          outcome: outcome.ok ? 'ok' : outcome.refused ? 'refused' : 'failed',
          ...(outcome.ok ? {} : { error: { code: outcome.error.code, message: outcome.error.message } }),
          durationMs,
        });
        this.router.events.emit('audit.appended', entry);
      } catch (err) {
        this.log('audit').error(`could not record ${op} in the audit trail: ${(err as Error).message}`);
      }
    });
    this.profiles.onChange((view) => this.router.events.emit('profiles.changed', view));
    this.profiles.register(this.router, async (profile, integration, skipProbe) => {
      const spec = resolveStackSpec(this.settings.get(), this.secrets, this.dataDir, profile);
      const report = await validateStack(spec, { integration });
      return skipProbe ? { ...report, checks: [...report.checks, skippedProbeCheck(skipProbe)] } : report;
    });
    this.router.register({
      'audit.list': (filter) => this.audit.list(filter),
      'audit.export': ({ format, ...filter }) => this.audit.export(filter, format),
    });
  }

  use(factory: ModuleFactory): this {
    this.modules.push(factory(this));
    return this;
  }

  /** Stops what the modules run, last wired first. Safe to call more than once. */
  shutdown(): Promise<void> {
    this.shuttingDown ??= (async () => {
      for (const module of [...this.modules].reverse()) {
        try {
          await module.shutdown?.();
        } catch (err) {
          this.log('console').error(`stopping ${module.name} failed: ${(err as Error).message}`);
        }
      }
      this.logFiles.close();
    })();
    return this.shuttingDown;
  }
}

export interface WiredConsole extends OpsConsole {
  readonly stack: StackManager;
  readonly worker: WorkerSupervisor;
  readonly cycles: CycleService;
  readonly progress: ProgressListener;
  readonly backups: BackupService;
}

/** The worker's configuration from the settings in force and the stack's spec (secrets travel over IPC). */
export function workerConfig(ops: OpsConsole, spec: StackSpec): WorkerConfig {
  const s = ops.settings.get();
  return {
    temporalAddress: `${spec.temporal.host}:${spec.temporal.port}`,
    ...(spec.temporal.tls ? { tls: spec.temporal.tls } : {}),
    ...(spec.temporal.apiKey ? { apiKey: spec.temporal.apiKey } : {}),
    namespace: spec.temporal.namespace,
    taskQueue: spec.temporal.taskQueue ?? s.temporal.taskQueue,
    appDbUrl: postgresUrl(spec.appPostgres, spec.appPostgres.database),
    maxConcurrentActivities: s.worker.maxConcurrentActivities,
    dbLockTimeoutMs: s.worker.dbLockTimeoutMs,
    llm: {
      baseUrl: s.worker.llmBaseUrl,
      model: s.worker.llmModel,
      apiKey: ops.secrets.get('worker.llmApiKey') ?? '',
    },
    mailWebhook: s.worker.mailWebhook,
    identity: `ops-console-worker@${os.hostname()}:${process.pid}`,
    workflowBundlePath: rolledOutBundle(ops.dataDir),
  };
}

/** The console with every capability this build has, wired in dependency order. */
export function createConsole(options: ConsoleOptions): WiredConsole {
  const ops = new OpsConsole(options);
  const { longRunning } = ops;
  const appDbUrl = () => {
    const spec = stack.spec();
    return postgresUrl(spec.appPostgres, spec.appPostgres.database);
  };
  const appDb = new AppDbPool(appDbUrl);
  const progress = new ProgressListener(
    appDbUrl,
    (e) => ops.router.events.emit('workflow.progress', e),
    ops.log('db'),
  );
  const worker = new WorkerSupervisor(ops, () => workerConfig(ops, stack.spec()));
  const stack: StackManager = new StackManager(ops, {
    onAppDbReady: async (spec) => {
      // On the embedded stack the server process applying them runs below the Temporal side's start, which the
      // start waits on; they are done long before it ends.
      const niceness = spec.provider === 'local' ? servicesNiceness(ops.settings.get()) : 0;
      const { applied } = await migrateAppDb(postgresUrl(spec.appPostgres, spec.appPostgres.database), {
        beforeApplying: niceness ? (pid) => lowerPostgresBackend(pid, niceness) : undefined,
      });
      return applied.length ? `applied ${applied.join(', ')}` : 'up to date';
    },
    afterStart: async () => {
      if (!longRunning) return;
      await progress.start();
      if (ops.settings.get().worker.enabled) await worker.start();
    },
    beforeStop: async (options) => {
      await worker.stop(options);
      await progress.stop();
    },
  });
  // An attached stack is never "started" here: a long-running console follows it with the progress listener
  // as soon as its profile is in force (at launch, or on a switch).
  ops.router.register({ 'stack.migrateAppDb': () => migrateAppDb(appDbUrl()) });
  // A worker keeps the connection it started with: on a switch to another profile it drains, so it never
  // polls one stack's task queue while the console looks at another.
  let lastProfile = ops.profiles.mode().name;
  ops.profiles.onChange((view) => {
    if (view.mode.name === lastProfile) return;
    lastProfile = view.mode.name;
    if (worker.current().state === 'stopped') return;
    ops
      .log('worker')
      .info(`profile switched to ${view.mode.name ?? 'the embedded stack'}: draining the worker`);
    void worker.stop().catch((err: Error) => ops.log('worker').warn(`draining on switch: ${err.message}`));
  });
  if (longRunning) {
    let following = false;
    const follow = () => {
      const attached = stack.spec().provider === 'attached';
      if (!attached && !following) return; // the embedded stack's own start/stop drive the listener
      following = attached;
      void progress
        .stop()
        .then(() => (attached ? progress.start() : undefined))
        .catch((err: Error) => ops.log('db').warn(`progress listener: ${err.message}`));
    };
    ops.profiles.onChange(follow);
    if (ops.profiles.active()?.provider === 'attached') follow();
  }
  // A worker process that crashes is a service failure like any other: raised with its last lines.
  const workerCrashes = new Set<string>();
  ops.router.events.subscribe((name, payload) => {
    if (name !== 'worker.status') return;
    for (const p of (payload as EventPayload<'worker.status'>).processes ?? []) {
      const key = `${p.index}:${p.restarts}`;
      if (p.state !== 'backoff' || workerCrashes.has(key)) continue;
      workerCrashes.add(key);
      stack.alerts.raise({
        service: 'worker',
        kind: 'exited',
        severity: 'critical',
        title: 'Worker process crashed',
        message: `Worker process ${p.index} ${p.lastError ?? 'exited'}; the supervisor restarts it (${p.restarts} restart${p.restarts === 1 ? '' : 's'} so far).`,
        fix:
          'Nothing to do if it comes back. If it keeps crashing, read worker-' +
          p.index +
          "'s log for the cause.",
        lines: ops.logs.recent({ source: 'worker', limit: 12 }).map((l) => l.message),
      });
    }
  });
  // Shutdown runs in reverse: the capabilities, the worker (drains), the listener, the app-DB pool, the stack.
  ops.use(() => stack);
  ops.use(() => ({ name: 'app-db', shutdown: () => appDb.end() }));
  ops.use(() => ({ name: 'progress', shutdown: () => progress.stop() }));
  ops.use(() => worker);
  const cycles = new CycleService(ops, { spec: () => stack.spec(), appDb });
  ops.use(() => cycles);
  const namespaces = new NamespaceService(
    ops.router,
    () => cycles.client(),
    () => stack.spec().temporal.namespace,
    ops.log('temporal'),
  );
  if (longRunning) namespaces.followSettings();
  const humanSteps = new HumanStepService(ops, { appDb, temporal: () => cycles.client() });
  ops.use(() => humanSteps);
  const recovery = new RecoveryService(ops, stack, appDb);
  ops.use(() => recovery);
  ops.use(
    () =>
      new InspectionService(ops, {
        appDb,
        temporal: () => cycles.client(),
        namespace: () => stack.spec().temporal.namespace,
        humanSteps,
      }),
  );
  ops.use(() => registerWebUi(ops, () => stack.spec()));
  ops.use(() => new SagaService(ops, { appDb, temporal: () => cycles.client(), spec: () => stack.spec() }));
  ops.use(() => new ReplayCheckService(ops, { temporal: () => cycles.client(), worker }));
  const backups = new BackupService(ops, { stack, worker, cycles, consoleVersion: CONSOLE_VERSION });
  ops.use(() => backups);
  return Object.assign(ops, { stack, worker, cycles, progress, backups });
}
