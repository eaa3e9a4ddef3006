// The stack capability: picks the provider from settings, serialises start/stop, publishes status events,
// watches for crashes, and serves the stack.* operations.
import { OpsError, toErrorShape } from '../api';
import { lostSecretError, resetClusterPassword } from './cluster-passwords';
import type { ServiceStatus, StackState, StackStatus, StartStep } from '../api';
import type { ConsoleContext, ConsoleModule } from '../context';
import { checkStackPorts } from './ports';
import type { StackProvider, StackSpec } from './provider';
import { resolveStackSpec } from './spec';
import { createProvider } from './providers';
import { StackValidation, type ExtraChecks } from './validation';
import { withServiceStopped } from './service-pause';
import { overallState, withStep } from './stack-state';
import { refusedOnAttached } from './attached/provider';
import { CrashWatcher } from './crash-watcher';
import { ServiceAlerts } from './service-alerts';

export interface StackModuleOptions {
  /** Runs as the last start step, once the app DB answers (the app DB migrations plug in here). */
  onAppDbReady?: (spec: StackSpec) => Promise<string | void>;
  /** Runs once the stack is running (the worker starts here); a failure is logged, the stack stays up. */
  afterStart?: () => Promise<void>;
  /**
   * Runs before the services stop (the worker drains here, while Temporal still answers). `discarding`: the
   * databases are about to be replaced (a recovery), so in-flight work is not worth finishing.
   */
  beforeStop?: (options: { discarding?: boolean }) => Promise<void>;
}

export class StackManager implements ConsoleModule {
  readonly name = 'stack';
  private current: StackProvider | undefined;
  private providerKey = '';
  /** The last spec resolved, and the stamps of what it was resolved from. */
  private resolved: { key: string; spec: StackSpec } | undefined;
  private state: StackState = 'stopped';
  private services: ServiceStatus[] = [];
  private steps: StartStep[] = [];
  private error: StackStatus['error'];
  private running: Promise<unknown> = Promise.resolve();
  private startAbort: AbortController | undefined;
  private readonly watcher: CrashWatcher;
  readonly alerts: ServiceAlerts;
  private readonly paused = new Set<ServiceStatus['id']>();
  private readonly log;
  private readonly validation = new StackValidation();

  constructor(
    private readonly ctx: ConsoleContext,
    private readonly options: StackModuleOptions = {},
  ) {
    this.log = ctx.log('stack');
    this.alerts = new ServiceAlerts(ctx.router, this.log);
    this.alerts.watch(ctx.logs);
    this.watcher = new CrashWatcher({
      alerts: this.alerts,
      log: this.log,
      logs: ctx.logs,
      refresh: () => this.refresh().then(() => this.services),
      isPaused: (id) => this.paused.has(id),
      isRunning: () => this.state === 'running' || this.state === 'degraded',
      markFailed: (id) => {
        const service = this.services.find((s) => s.id === id);
        if (service) Object.assign(service, { state: 'failed', health: 'failed' });
        this.state = 'degraded';
        this.publish();
      },
      startService: (id) =>
        this.serialise(async () => {
          const provider = await this.currentProvider();
          if (provider.startService) await provider.startService(id);
          else await provider.restartService(id);
          await this.refresh();
        }),
    });
    ctx.router.register({
      'stack.status': () => this.refresh(),
      'stack.start': () => this.start(),
      'stack.stop': () => this.stop(),
      'stack.restart': async () => {
        await this.stop();
        return this.start();
      },
      'stack.restartService': ({ service }) => this.restartService(service),
      'stack.validate': ({ integration }, { probe }) =>
        this.validation.forOperator(this.spec(), integration, probe, this.log),
      'stack.remove': ({ deleteData }) => this.remove(deleteData),
      'stack.resetPassword': ({ cluster }) => this.resetPassword(cluster),
      'stack.checkPorts': () => checkStackPorts(this.ctx.settings.get().stack.ports),
    });
  }

  /** The provider of the current spec (built on first use, again when the spec or the stack settings change). */
  provider(): Promise<StackProvider> {
    return this.currentProvider();
  }

  /** Both clusters' archives and base backups where the provider runs them (local, Docker); else undefined. */
  async archivedClusters() {
    const provider = await this.currentProvider();
    return provider.archivedClusters?.();
  }

  /** The provider's side of a point-in-time recovery (local, Docker); undefined where the console runs nothing. */
  async recoveryDriver(stamp: string) {
    const provider = await this.currentProvider();
    return provider.recoveryDriver?.(stamp);
  }

  /** See StackProvider.catchUpLogs; a provider whose services log elsewhere has nothing to do. */
  async catchUpLogs(): Promise<void> {
    const provider = await this.currentProvider();
    provider.catchUpLogs?.();
  }

  /**
   * The resolved spec for the settings in force (other capabilities read connections from it; every database
   * read asks for it). Resolved again only when the settings, the secrets or the profile in force may have
   * changed; a spec with a lost password is never kept (the cluster's folder decides it, and may change).
   */
  spec(): StackSpec {
    const key = this.specKey();
    if (key !== undefined && this.resolved?.key === key) return structuredClone(this.resolved.spec);
    const spec = resolveStackSpec(
      this.ctx.settings.get(),
      this.ctx.secrets,
      this.ctx.dataDir,
      this.ctx.profiles.active(),
    );
    // Resolving may have stored a new password (a first start): keyed on the secrets as they are after it.
    const after = this.specKey();
    this.resolved =
      after === undefined || spec.lostSecrets ? undefined : { key: after, spec: structuredClone(spec) };
    return spec;
  }

  /** What the spec is resolved from, as cheap stamps; undefined when the secret store cannot say. */
  private specKey(): string | undefined {
    const secrets = this.ctx.secrets.revision?.();
    if (secrets === undefined) return undefined;
    return `${this.ctx.settings.revision()}\0${secrets}\0${this.ctx.profiles.revision()}`;
  }

  private async currentProvider(): Promise<StackProvider> {
    const spec = this.spec();
    const key = JSON.stringify({ spec, settings: this.ctx.settings.get().stack });
    if (!this.current || key !== this.providerKey) {
      this.current?.release?.();
      this.current = await createProvider(spec, this.ctx);
      this.providerKey = key;
    }
    return this.current;
  }

  status(): StackStatus {
    return {
      provider: this.spec().provider,
      state: this.state,
      services: this.services,
      steps: this.steps,
      error: this.error,
      updatedAt: new Date().toISOString(),
    };
  }

  private publish(): StackStatus {
    const status = this.status();
    this.ctx.router.events.emit('stack.status', status);
    return status;
  }

  /** Re-reads the services; the overall state follows them unless an operation is under way. */
  async refresh(): Promise<StackStatus> {
    try {
      const provider = await this.currentProvider();
      this.services = this.watcher.decorate(await provider.services(), provider.kind);
    } catch (err) {
      this.error = toErrorShape(err);
    }
    this.state = overallState(this.state, this.services);
    return this.publish();
  }

  private serialise<T>(work: () => Promise<T>): Promise<T> {
    const next = this.running.then(work, work);
    this.running = next.catch(() => undefined);
    return next;
  }

  start(): Promise<StackStatus> {
    const spec = this.spec();
    if (spec.provider === 'attached') return Promise.reject(refusedOnAttached('start', spec));
    const lost = lostSecretError(spec);
    if (lost) {
      this.state = 'failed';
      this.error = lost.toShape();
      this.log.error(`${lost.message} ${lost.hint}`);
      this.publish();
      return Promise.reject(lost);
    }
    if (this.state === 'starting') return this.running.then(() => this.status());
    return this.serialise(async () => {
      const provider = await this.currentProvider().catch((err: unknown) => {
        this.state = 'failed';
        this.error = toErrorShape(err);
        this.publish();
        throw err;
      });
      const steps = provider.startSteps();
      if (this.options.onAppDbReady) steps.push({ id: 'app-schema', label: 'App DB migrations' });
      this.steps = steps.map((s) => ({ ...s, state: 'pending' }));
      this.state = 'starting';
      this.error = undefined;
      this.publish();
      this.startAbort = new AbortController();
      const reporter = {
        step: (id: string, state: StartStep['state'], detail?: string) => {
          this.steps = withStep(this.steps, id, state, detail);
          if (state === 'failed') this.log.error(`${id}: ${detail ?? 'failed'}`);
          this.publish();
          // A provider that does not say sooner has the app DB's database once this step ends.
          if (id === 'databases' && state === 'done') reporter.appDbReady();
        },
        // The app DB's migrations need only its database: they run while the Temporal side starts.
        appDbReady: () => {
          appSchema ??= migrateAppDb();
        },
      };
      let appSchema: Promise<void> | undefined;
      const migrateAppDb = () => {
        const onAppDbReady = this.options.onAppDbReady;
        if (!onAppDbReady) return undefined;
        reporter.step('app-schema', 'running');
        const running = onAppDbReady(this.spec()).then(
          (detail) => reporter.step('app-schema', 'done', detail || undefined),
          (err: unknown) => {
            reporter.step('app-schema', 'failed', toErrorShape(err).message);
            throw err;
          },
        );
        running.catch(() => undefined); // awaited below; a failure while the provider fails too is not unhandled
        return running;
      };
      const started = Date.now();
      try {
        // A provider that fails waits for the migrations it let start, so nothing runs on after the failure.
        await provider
          .start(reporter, this.startAbort.signal)
          .finally(() => appSchema?.catch(() => undefined));
        if (this.startAbort.signal.aborted)
          throw new OpsError('STACK_FAILED', 'The start was cancelled by a stop.', 'Start again when ready.');
        await (appSchema ?? migrateAppDb());
        this.state = 'running';
        this.log.info(`stack running (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        this.watchForCrashes();
      } catch (err) {
        const running = this.steps.find((s) => s.state === 'running');
        if (running) reporter.step(running.id, 'failed', toErrorShape(err).message);
        this.state = 'failed';
        this.error = toErrorShape(err);
        this.log.error(`start failed: ${this.error.message}`);
        await this.refresh().catch(() => undefined);
        this.state = 'failed';
        this.publish();
        throw err;
      } finally {
        this.startAbort = undefined;
      }
      const status = await this.refresh();
      void this.options.afterStart?.().catch((err: Error) => this.log.warn(`after start: ${err.message}`));
      return status;
    });
  }

  /** `discarding`: see StackProvider.stop (a recovery replaces both databases right after). */
  stop(options: { discarding?: boolean } = {}): Promise<StackStatus> {
    const spec = this.spec();
    if (spec.provider === 'attached') return Promise.reject(refusedOnAttached('stop', spec));
    this.startAbort?.abort(); // a stop while starting cancels the start, then stops what came up
    return this.serialise(async () => {
      this.stopWatching();
      const provider = await this.currentProvider();
      this.state = 'stopping';
      this.publish();
      try {
        const began = performance.now();
        await this.options
          .beforeStop?.(options)
          .catch((err: Error) => this.log.warn(`before stop: ${err.message}`));
        const servicesBegan = performance.now();
        await provider.stop(options);
        this.state = 'stopped';
        this.error = undefined;
        this.steps = [];
        const seconds = (from: number, to: number) => `${((to - from) / 1000).toFixed(1)} s`;
        const ended = performance.now();
        this.log.info(
          `stack stopped; data kept (in ${seconds(began, ended)}: the worker and the progress listener ${seconds(began, servicesBegan)}, the services ${seconds(servicesBegan, ended)})`,
        );
      } catch (err) {
        this.state = 'failed';
        this.error = toErrorShape(err);
        throw err;
      } finally {
        await this.refresh();
      }
      return this.status();
    });
  }

  /** Stops the stack and removes what the provider created; data only when asked (and confirmed). */
  remove(deleteData: boolean): Promise<{ removed: string[]; dataKept: boolean; movedTo?: string }> {
    this.startAbort?.abort();
    return this.serialise(async () => {
      this.stopWatching();
      const provider = await this.currentProvider();
      if (!provider.remove) {
        throw new OpsError(
          'NOT_SUPPORTED',
          'This stack runs elsewhere: the console does not remove it.',
          'Remove it where it runs.',
        );
      }
      this.state = 'stopping';
      this.publish();
      await this.options
        .beforeStop?.({})
        .catch((err: Error) => this.log.warn(`before remove: ${err.message}`));
      try {
        const result = await provider.remove({ deleteData });
        this.log.warn(
          `stack removed${result.removed.length ? ` (${result.removed.join(', ')})` : ''}; data ${result.dataKept ? 'kept' : result.movedTo ? `moved to ${result.movedTo}` : 'deleted'}`,
        );
        this.state = 'stopped';
        this.steps = [];
        return result;
      } finally {
        await this.refresh();
      }
    });
  }

  restartService(service: ServiceStatus['id']): Promise<StackStatus> {
    return this.serialise(async () => {
      const provider = await this.currentProvider();
      this.log.info(`restarting ${service}`);
      await provider.restartService(service);
      return this.refresh();
    });
  }

  /** Checks that other capabilities add to the stack's validation (they need more than the stack to judge). */
  addChecks(checks: ExtraChecks): void {
    this.validation.add(checks);
  }

  /** A new password for one cluster, set by the provider's superuser route, then kept in the secret store. */
  private resetPassword(
    cluster: 'app-postgres' | 'temporal-postgres',
  ): Promise<{ cluster: string; reset: true }> {
    this.startAbort?.abort();
    return this.serialise(async () => {
      this.stopWatching();
      const provider = await this.currentProvider();
      if (provider.resetPassword)
        await this.options
          .beforeStop?.({})
          .catch((err: Error) => this.log.warn(`before reset: ${err.message}`));
      try {
        await resetClusterPassword(provider, this.ctx.secrets, this.ctx.dataDir, cluster);
        this.state = 'stopped';
        this.error = undefined;
        this.log.warn(`${cluster}: new password set and stored; start the stack to use it`);
        return { cluster, reset: true as const };
      } finally {
        await this.refresh();
      }
    });
  }

  /**
   * Runs work with one service stopped on purpose (a restore of the database it holds locks in), then starts it
   * again whatever happened. The crash watcher leaves a paused service alone.
   */
  withServiceStopped<T>(
    service: ServiceStatus['id'],
    work: (stopped: Promise<void>) => Promise<T>,
    /** overlap: work starts while the service stops. discarding: its state is about to be replaced (no grace). */
    options: { overlap?: boolean; discarding?: boolean } = {},
  ): Promise<T> {
    return this.serialise(async () =>
      withServiceStopped(
        {
          provider: await this.currentProvider(),
          paused: this.paused,
          log: this.log,
          refresh: () => this.refresh(),
        },
        service,
        work,
        options,
      ),
    );
  }

  /** While running, a service that goes down by itself is raised as an alert and restarted by its policy. */
  private watchForCrashes(): void {
    this.watcher.start();
  }

  private stopWatching(): void {
    this.watcher.stop();
  }

  /** At console exit: stop what this console started (a stack brought up by `stack up` keeps running). */
  async shutdown(): Promise<void> {
    this.stopWatching();
    this.startAbort?.abort();
    await this.running;
    await this.current?.shutdown?.();
  }
}

export function stackModule(options: StackModuleOptions = {}) {
  let manager: StackManager | undefined;
  const factory = (ctx: ConsoleContext) => (manager = new StackManager(ctx, options));
  return {
    factory,
    get manager() {
      if (!manager) throw new Error('stack module not wired');
      return manager;
    },
  };
}
