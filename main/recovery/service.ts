// Point-in-time recovery of both clusters to the same moment (local and Docker providers): archiving health, base
// backups, the recovery timeline, and recover = with the worker, Temporal and both clusters stopped, swap each
// cluster's base backup in for its data (the old data kept aside, journaled), replay it on its real port until it
// reaches the moment and becomes a primary, verify, start Temporal and the worker, validate, reconcile.
import type { ArchiveHealth, RecoveryPlan, RecoveryResult, RecoveryTimeline } from '../api';
import { OpsError } from '../api';
import type { ConsoleContext, ConsoleModule } from '../context';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  recoveriesInProgress,
  validateStack,
  withClusterClient,
  type ArchivedCluster,
  type BaseBackup,
  type ClusterRecovery,
  type RecoveryDriver,
  type StackManager,
} from '../stack';
import type { AppDbPool } from '../db';
import { planCluster } from './plan';
import { archiveHealth } from './archive-health';
import { recoveryTimeline } from './timeline';

export class RecoveryService implements ConsoleModule {
  readonly name = 'recovery';
  private busy = false;
  private schedule: NodeJS.Timeout | undefined;
  /** The read-only profile that refused the last scheduled base backup (not asked again while it stays locked). */
  private refusedFor: string | null | undefined;

  constructor(
    private readonly ctx: ConsoleContext,
    private readonly stack: StackManager,
    private readonly appDb: AppDbPool,
  ) {
    ctx.router.register({
      'recovery.status': () => this.status(),
      'recovery.baseBackup': () => this.baseBackup(),
      'recovery.timeline': () => this.timeline(),
      // Checking closes the current segments first, so a moment just past is archived and can be judged.
      'recovery.check': ({ to }) => this.check(new Date(to), true),
      'recovery.recover': ({ to, inclusive }) => this.recover(new Date(to), inclusive),
    });
    if (ctx.longRunning) {
      this.schedule = setInterval(() => void this.scheduledBaseBackup(), 10 * 60_000);
      this.schedule.unref();
      ctx.router.events.subscribe((name, payload) => {
        if (name === 'stack.status' && (payload as { state: string }).state === 'running')
          void this.scheduledBaseBackup();
      });
    }
  }

  /** Both clusters' archives and base backups (local and Docker providers). */
  private async archived(): Promise<{ app: ArchivedCluster; tpg: ArchivedCluster }> {
    const clusters = await this.stack.archivedClusters();
    if (!clusters) {
      throw new OpsError(
        'NOT_SUPPORTED',
        'Point-in-time recovery needs a stack the console runs (local or Docker): an attached stack archives where it runs.',
        'Use the archiving of the platform that runs it, or backup sets on this stack.',
      );
    }
    return clusters;
  }

  /** The provider's side of a recovery (local folders, Docker volumes). */
  private async driver(stamp: string): Promise<RecoveryDriver> {
    const driver = await this.stack.recoveryDriver(stamp);
    if (!driver) {
      throw new OpsError(
        'NOT_SUPPORTED',
        'Point-in-time recovery works on stacks the console runs (local or Docker).',
        'Recover where the stack runs, or restore a backup set (Backups page) on this stack.',
      );
    }
    return driver;
  }

  private progress(step: string, state: 'running' | 'done' | 'failed', detail?: string): void {
    this.ctx.router.events.emit('recovery.progress', { step, state, detail });
    const line = `${step}: ${state}${detail ? ` — ${detail}` : ''}`;
    if (state === 'failed') this.ctx.log('recovery').error(line);
    else this.ctx.log('recovery').info(line);
  }

  async status(): Promise<ArchiveHealth[]> {
    const { app, tpg } = await this.archived();
    return Promise.all([app, tpg].map((c) => archiveHealth(c)));
  }

  async baseBackup(): Promise<
    Array<{
      cluster: 'app-postgres' | 'temporal-postgres';
      label: string;
      startedAt: string;
      finishedAt: string;
      bytes: number;
    }>
  > {
    const { app, tpg } = await this.archived();
    for (const c of [app, tpg]) {
      if (!c.archivingEnabled) {
        throw new OpsError(
          'INVALID_INPUT',
          'Base backups serve point-in-time recovery, which needs continuous archiving.',
          'Turn on Settings → Stack → archiving, restart the stack, then take a base backup.',
        );
      }
      if (!(await c.running()))
        throw new OpsError('UNAVAILABLE', `${c.id} is not running.`, 'Start the stack first.');
      // Turned on in the settings, but the server still runs as started before (without archiving, and at
      // wal_level minimal on the local provider, where a base backup cannot be taken).
      const mode = await withClusterClient(c.endpoint, async (client) => {
        return (await client.query<{ archive_mode: string }>('SHOW archive_mode')).rows[0]?.archive_mode;
      });
      if (mode === 'off')
        throw new OpsError(
          'CONFLICT',
          `Archiving is on in the settings, but ${c.id} has not been restarted since: it archives nothing yet.`,
          'Restart the stack (Stack → Restart), then take a base backup.',
        );
    }
    // One base backup at a time (the schedule and the operator may ask together).
    const next = this.backups.then(() => this.takeBoth(app, tpg));
    this.backups = next.catch(() => undefined);
    return next;
  }

  private backups: Promise<unknown> = Promise.resolve();

  private async takeBoth(app: ArchivedCluster, tpg: ArchivedCluster) {
    const keep = this.ctx.settings.get().stack.archiving?.keepBaseBackups ?? 2;
    const taken: BaseBackup[] = [];
    for (const c of [app, tpg]) {
      this.progress(`base backup of ${c.id}`, 'running');
      const b = await c.takeBaseBackup();
      taken.push(b);
      const pruned = await c.prune(keep);
      this.progress(
        `base backup of ${c.id}`,
        'done',
        `${(b.bytes / 1e6).toFixed(1)} MB; ${pruned} old segments pruned`,
      );
    }
    return taken.map(({ cluster, label, startedAt, finishedAt, bytes }) => ({
      cluster,
      label,
      startedAt,
      finishedAt,
      bytes,
    }));
  }

  private async scheduledBaseBackup(): Promise<void> {
    const archiving = this.ctx.settings.get().stack.archiving;
    if (!archiving?.enabled || this.busy) return;
    const mode = this.ctx.profiles.mode();
    if (mode.readOnly && this.refusedFor === mode.name) return;
    await this.backups;
    try {
      const { app, tpg } = await this.archived();
      if (!(await app.running()) || !(await tpg.running())) return;
      const latest = await Promise.all(
        [app, tpg].map(async (c) => (await c.baseBackups()).at(-1)?.finishedAt),
      );
      const due = latest.some(
        (at) =>
          !at ||
          (archiving.baseBackupEveryH > 0 &&
            Date.now() - Date.parse(at) > archiving.baseBackupEveryH * 3_600_000),
      );
      if (!due) return;
      // As the scheduler, through the router: refused on a read-only profile, audited either way.
      await this.ctx.router.invoke('recovery.baseBackup', {}, { actor: 'scheduler' });
    } catch (err) {
      if ((err as { code?: string }).code === 'READ_ONLY') this.refusedFor = mode.name;
      this.ctx.log('recovery').warn(`scheduled base backup failed: ${(err as Error).message}`);
    }
  }

  async timeline(): Promise<RecoveryTimeline> {
    const { app, tpg } = await this.archived();
    return recoveryTimeline([app, tpg], this.appDb, this.ctx.router);
  }

  /** Commits a transaction and closes the current segment on each running cluster, so "now" is archived. */
  private async closeSegments(clusters: ArchivedCluster[]): Promise<void> {
    await Promise.all(
      clusters.map(async (c) => {
        if (!c.archivingEnabled || !(await c.running())) return;
        const closed = await withClusterClient(c.endpoint, async (client) => {
          // A commit after the target gives recovery a record to stop at; the switch sends its segment out.
          await client.query('SELECT txid_current()');
          return (await client.query<{ wal: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS wal'))
            .rows[0]!.wal;
        });
        const until = Date.now() + 30_000;
        while (Date.now() < until) {
          if (await c.hasSegment(closed)) break;
          await sleep(50);
        }
      }),
    );
  }

  async check(to: Date, closeSegments = true): Promise<RecoveryPlan> {
    const { app, tpg } = await this.archived();
    if (to.getTime() > Date.now()) {
      throw new OpsError(
        'INVALID_INPUT',
        `${to.toISOString()} is in the future.`,
        'Pick a moment in the past.',
      );
    }
    if (closeSegments) await this.closeSegments([app, tpg]);
    const plans = await Promise.all(
      [app, tpg].map(async (c) => planCluster(c.id, to, await c.baseBackups(), await c.segments())),
    );
    return {
      to: to.toISOString(),
      ok: plans.every((p) => p.ok),
      clusters: plans.map((p) => ({
        cluster: p.cluster,
        ok: p.ok,
        reason: p.reason,
        baseBackup: p.baseBackup?.label,
        reachesUntil: p.reachesUntil,
      })),
    };
  }

  async recover(to: Date, inclusive: boolean): Promise<RecoveryResult> {
    if (this.busy)
      throw new OpsError(
        'CONFLICT',
        'A recovery or base backup is already running.',
        'Wait for it to finish.',
      );
    this.busy = true;
    const stackDir = this.stack.spec().dataDir;
    recoveriesInProgress.add(stackDir);
    try {
      return await this.recoverBoth(to, inclusive);
    } finally {
      recoveriesInProgress.delete(stackDir);
      this.busy = false;
    }
  }

  private async recoverBoth(to: Date, inclusive: boolean): Promise<RecoveryResult> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const driver = await this.driver(stamp);
    const { app, tpg } = await this.archived();
    this.progress('check', 'running', to.toISOString());
    const plan = await this.check(to, true);
    if (!plan.ok) {
      const reasons = plan.clusters
        .filter((c) => !c.ok)
        .map((c) => c.reason)
        .join(' ');
      this.progress('check', 'failed', reasons);
      throw new OpsError(
        'INVALID_INPUT',
        `Both databases cannot be recovered to ${to.toISOString()}: ${reasons}`,
        'Pick a moment both archives cover (see the recovery timeline); nothing was changed.',
      );
    }
    this.progress('check', 'done');
    const backups = new Map(
      await Promise.all(
        [app, tpg].map(
          async (c) =>
            [c.id, (await c.baseBackups()).filter((b) => new Date(b.finishedAt) <= to).at(-1)!] as const,
        ),
      ),
    );
    const work = driver.clusters.map((c) => ({
      c,
      backup: backups.get(c.id)!,
      reachedAt: undefined as string | undefined,
    }));
    await driver.begin();

    // The base backups are copied while the worker, Temporal and both clusters stop: different places, and the
    // copy is most of the work that does not need the stack down.
    this.progress('stop', 'running', 'the worker, Temporal and both databases');
    const laidDown = Promise.allSettled(
      work.map(async ({ c, backup }) => {
        this.progress(`restore ${c.id}`, 'running', `from the base backup of ${backup.finishedAt}`);
        await c.layDown(backup, to, inclusive);
        this.progress(`copy ${c.id}`, 'done');
      }),
    );
    // A checkpoint of each old cluster while the worker drains leaves their shutdown checkpoints little to write.
    for (const c of [app, tpg])
      void withClusterClient(c.endpoint, (client) => client.query('CHECKPOINT')).catch(() => undefined);
    const stopped = this.stack.stop({ discarding: true }).then(
      () => this.progress('stop', 'done'),
      (err: Error) => err,
    );
    const [copies, stopFailure] = await Promise.all([laidDown, stopped]);
    const copyFailure = copies.find((c): c is PromiseRejectedResult => c.status === 'rejected');
    if (copyFailure || stopFailure) {
      await driver.rollBack().catch(() => undefined);
      await this.stack.start().catch(() => undefined);
      const reason = ((copyFailure?.reason as Error | undefined) ?? stopFailure)!.message;
      this.progress('stop', 'failed', reason);
      throw new OpsError(
        'STACK_FAILED',
        `The recovery could not begin: ${reason}`,
        'Nothing was changed and the stack was started again; fix what the message names and try again.',
      );
    }
    // Journaled: a failure or a killed console from here on puts the previous data back.
    this.progress('swap', 'running');
    await driver.swap();
    this.progress('swap', 'done');

    let validation = '';
    let reconciliation: unknown;
    try {
      // Each cluster replays on its real port with its real settings and becomes a primary at the moment; both are
      // checked before Temporal starts (a wrong one is rolled back with the other): nothing restarts after.
      await Promise.all(work.map((w) => this.replay(w, to)));
      await Promise.all(work.map((w) => w.c.forgetRecovery()));
      this.progress('start', 'running', 'Temporal and the worker');
      await this.stack.start(); // Temporal, then the worker (which starts while validation runs)
      this.progress('start', 'done');
      this.progress('validate', 'running');
      const [report, reconcile] = await Promise.all([
        validateStack(this.stack.spec(), { integration: true }),
        this.ctx.router.call('backups.reconcile', {}),
      ]);
      validation = report.overall;
      this.ctx
        .log('recovery')
        .info(
          `validation ${report.overall}: ${report.checks.map((c) => `${c.id} ${c.durationMs} ms`).join(', ')}`,
        );
      if (report.overall === 'failed') {
        const failed = report.checks
          .filter((c) => c.status === 'failed')
          .map((c) => `${c.label}: ${c.detail}`);
        throw new Error(`validation failed: ${failed.join('; ')}`);
      }
      await driver.end();
      this.progress('validate', 'done', report.overall);
      if (reconcile.ok) reconciliation = reconcile.result;
    } catch (err) {
      const message = (err as Error).message;
      this.progress('validate', 'failed', message);
      await this.stack.stop().catch(() => undefined);
      await driver.rollBack().catch((e: Error) => this.ctx.log('recovery').error(`rollback: ${e.message}`));
      await this.stack.start().catch(() => undefined);
      throw new OpsError(
        'STACK_FAILED',
        `The databases could not be recovered to ${to.toISOString()} (${message}); the previous databases are back in place.`,
        'Read the recovery log lines, pick another moment (see the timeline), and try again.',
      );
    }
    this.progress('reconcile', 'done');
    return {
      to: to.toISOString(),
      clusters: work.map((w) => ({ cluster: w.c.id, reachedAt: w.reachedAt, oldDataDir: w.c.oldData })),
      validation,
      reconciliation,
    };
  }

  /** Replays one swapped-in cluster to the moment and checks that it did not go past it. */
  private async replay(w: { c: ClusterRecovery; reachedAt?: string }, to: Date): Promise<void> {
    const step = `restore ${w.c.id}`;
    try {
      w.reachedAt = (await w.c.replay()).reachedAt;
    } catch (err) {
      this.progress(step, 'failed', (err as Error).message);
      throw new Error(`${w.c.id} could not be recovered: ${(err as Error).message}`);
    }
    if (w.reachedAt && new Date(w.reachedAt) > new Date(to.getTime() + 1)) {
      this.progress(step, 'failed', `replayed past the moment (${w.reachedAt})`);
      throw new Error(`${w.c.id} replayed past the moment (${w.reachedAt})`);
    }
    this.progress(step, 'done', w.reachedAt ? `stopped at ${w.reachedAt}` : 'replayed to the moment');
  }

  async shutdown(): Promise<void> {
    if (this.schedule) clearInterval(this.schedule);
  }
}
