// Point-in-time recovery of both clusters to the same moment (local provider): archiving health, base backups,
// the recovery timeline, and recover = restore each cluster from its base backup + archive into a new folder,
// verify it reached the moment, swap both in with the worker and Temporal stopped, validate, reconcile.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type {
  ArchiveHealth,
  RecoveryPlan,
  RecoveryResult,
  RecoveryTimeline,
  TimelineMark,
} from '../api/contract';
import { OpsError } from '../api/errors';
import type { ConsoleContext, ConsoleModule } from '../console';
import type { StackManager } from '../stack/manager';
import type { PostgresCluster } from '../stack/local/postgres';
import { run, sleep } from '../stack/local/process';
import { anyFreePort } from '../stack/ports';
import { validateStack } from '../stack/health';
import type { AppDbPool } from '../db';
import { archiveBytes, listSegments, pruneSegments, reachFrom } from './archive';
import { listBaseBackups, pruneBaseBackups, takeBaseBackup, type BaseBackup } from './base-backup';
import {
  beginRecovery,
  endRecovery,
  recoveriesInProgress,
  rollBackInterrupted,
  swapFolders,
} from './journal';
import { planCluster } from './plan';

const RECOVERY_MARKER = '# ops-console point-in-time recovery';

async function withClient<T>(
  cluster: PostgresCluster,
  port: number,
  work: (c: pg.Client) => Promise<T>,
): Promise<T> {
  const { host, user, password } = cluster.endpoint;
  const client = new pg.Client({
    host,
    port,
    user,
    password,
    database: 'postgres',
    connectionTimeoutMillis: 5_000,
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export class RecoveryService implements ConsoleModule {
  readonly name = 'recovery';
  private busy = false;
  private schedule: NodeJS.Timeout | undefined;

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

  private async clusters(): Promise<{ app: PostgresCluster; tpg: PostgresCluster }> {
    const clusters = await this.stack.localClusters();
    if (!clusters) {
      throw new OpsError(
        'NOT_SUPPORTED',
        'Point-in-time recovery works on the embedded (local) stack.',
        'Switch Settings → Stack → provider to local, or use backup sets on this stack.',
      );
    }
    return clusters;
  }

  private progress(step: string, state: 'running' | 'done' | 'failed', detail?: string): void {
    this.ctx.router.events.emit('recovery.progress', { step, state, detail });
    const line = `${step}: ${state}${detail ? ` — ${detail}` : ''}`;
    if (state === 'failed') this.ctx.log('recovery').error(line);
    else this.ctx.log('recovery').info(line);
  }

  async status(): Promise<ArchiveHealth[]> {
    const { app, tpg } = await this.clusters();
    return Promise.all([app, tpg].map((c) => this.health(c)));
  }

  private async health(cluster: PostgresCluster): Promise<ArchiveHealth> {
    const segments = listSegments(cluster.archiveDir);
    const backups = listBaseBackups(cluster);
    const health: ArchiveHealth = {
      cluster: cluster.id,
      enabled: cluster.archivingEnabled,
      failedCount: 0,
      archiveBytes: archiveBytes(cluster.archiveDir),
      segments: segments.length,
      baseBackups: backups.length,
      oldestRecoverable: backups[0]?.finishedAt,
    };
    if (!cluster.pid()) return { ...health, problem: 'the cluster is not running' };
    try {
      await withClient(cluster, cluster.endpoint.port, async (c) => {
        const s = await c.query<{
          archived_count: string;
          last_archived_wal: string | null;
          last_archived_time: Date | null;
          failed_count: string;
          last_failed_wal: string | null;
          last_failed_time: Date | null;
          current: string;
        }>('SELECT *, pg_walfile_name(pg_current_wal_lsn()) AS current FROM pg_stat_archiver');
        const row = s.rows[0]!;
        health.lastArchivedWal = row.last_archived_wal ?? undefined;
        health.lastArchivedAt = row.last_archived_time?.toISOString();
        health.failedCount = Number(row.failed_count);
        health.lastFailedWal = row.last_failed_wal ?? undefined;
        health.lastFailedAt = row.last_failed_time?.toISOString();
        health.currentWal = row.current;
        if (row.last_archived_wal) {
          const last = parseInt(row.last_archived_wal.slice(8), 16);
          health.lagSegments = Math.max(0, parseInt(row.current.slice(8), 16) - last - 1);
        }
        const failingNow =
          row.last_failed_time && (!row.last_archived_time || row.last_failed_time > row.last_archived_time);
        if (cluster.archivingEnabled && failingNow) {
          health.problem = `archiving ${row.last_failed_wal} is failing (${row.failed_count} failures): check free space and permissions of ${cluster.archiveDir}`;
        }
      });
    } catch (err) {
      health.problem = `cannot read archiver state: ${(err as Error).message}`;
    }
    return health;
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
    const { app, tpg } = await this.clusters();
    for (const c of [app, tpg]) {
      if (!c.archivingEnabled) {
        throw new OpsError(
          'INVALID_INPUT',
          'Base backups serve point-in-time recovery, which needs continuous archiving.',
          'Turn on Settings → Stack → archiving, restart the stack, then take a base backup.',
        );
      }
      if (!c.pid()) throw new OpsError('UNAVAILABLE', `${c.id} is not running.`, 'Start the stack first.');
    }
    // One base backup at a time (the schedule and the operator may ask together).
    const next = this.backups.then(() => this.takeBoth(app, tpg));
    this.backups = next.catch(() => undefined);
    return next;
  }

  private backups: Promise<unknown> = Promise.resolve();

  private async takeBoth(app: PostgresCluster, tpg: PostgresCluster) {
    const keep = this.ctx.settings.get().stack.archiving?.keepBaseBackups ?? 2;
    const taken: BaseBackup[] = [];
    for (const c of [app, tpg]) {
      this.progress(`base backup of ${c.id}`, 'running');
      const b = await takeBaseBackup(c);
      taken.push(b);
      const oldestKept = pruneBaseBackups(c, keep);
      const pruned = oldestKept ? pruneSegments(c.archiveDir, oldestKept.startWal) : [];
      this.progress(
        `base backup of ${c.id}`,
        'done',
        `${(b.bytes / 1e6).toFixed(1)} MB; ${pruned.length} old segments pruned`,
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
    await this.backups;
    try {
      const { app, tpg } = await this.clusters();
      if (!app.pid() || !tpg.pid()) return;
      const latest = [app, tpg].map((c) => listBaseBackups(c).at(-1)?.finishedAt);
      const due = latest.some(
        (at) =>
          !at ||
          (archiving.baseBackupEveryH > 0 &&
            Date.now() - Date.parse(at) > archiving.baseBackupEveryH * 3_600_000),
      );
      if (!due) return;
      await this.baseBackup();
    } catch (err) {
      this.ctx.log('recovery').warn(`scheduled base backup failed: ${(err as Error).message}`);
    }
  }

  async timeline(): Promise<RecoveryTimeline> {
    const { app, tpg } = await this.clusters();
    const clusters = [app, tpg].map((c) => {
      const segments = listSegments(c.archiveDir);
      const backups = listBaseBackups(c);
      const from = backups[0];
      const reach = from ? reachFrom(segments, from.startWal) : {};
      return {
        cluster: c.id,
        from: from?.finishedAt,
        until: reach.last?.archivedAt.toISOString(),
        gaps: reach.gapAt ? [reach.gapAt] : [],
      };
    });
    const baseBackups = [app, tpg].flatMap((c) =>
      listBaseBackups(c).map(({ cluster, label, startedAt, finishedAt, bytes }) => ({
        cluster,
        label,
        startedAt,
        finishedAt,
        bytes,
      })),
    );
    const marks: TimelineMark[] = baseBackups.map((b) => ({
      at: b.finishedAt,
      kind: 'base_backup',
      label: `base backup of ${b.cluster}`,
    }));
    if (app.pid()) {
      try {
        const { rows } = await this.appDb.get().query<{
          at: Date;
          kind: TimelineMark['kind'];
          label: string;
          workflow_id: string;
        }>(
          `SELECT * FROM (
             SELECT started_at AS at, 'cycle_started' AS kind, 'cycle ' || coalesce(cycle_id::text, '?') || ' started' AS label, workflow_id FROM workflow_executions
             UNION ALL
             SELECT finished_at, 'phase_completed', phase || ' completed', workflow_id FROM workflow_phases WHERE status IN ('completed', 'compensated') AND finished_at IS NOT NULL
             UNION ALL
             SELECT created_at, 'compensation', phase || ' compensated (' || strategy || ')', workflow_id FROM workflow_compensation_log
           ) m ORDER BY at DESC LIMIT 1000`,
        );
        marks.push(
          ...rows.map((r) => ({
            at: r.at.toISOString(),
            kind: r.kind,
            label: r.label,
            workflowId: r.workflow_id,
          })),
        );
      } catch {
        // no tracking tables yet: the timeline shows backups and archive ranges only
      }
    }
    marks.push(...(await this.otherMarks()));
    marks.sort((a, b) => a.at.localeCompare(b.at));
    return { now: new Date().toISOString(), clusters, baseBackups, marks };
  }

  /** Dump sets and operator actions, where those capabilities are part of this build. */
  private async otherMarks(): Promise<TimelineMark[]> {
    const out: TimelineMark[] = [];
    const list = async (op: string): Promise<unknown> => {
      const r = await this.ctx.router.call(op, {});
      return r.ok ? r.result : undefined;
    };
    const sets = (await list('backups.list')) as
      Array<{ id?: string; createdAt?: string; finishedAt?: string }> | undefined;
    for (const s of Array.isArray(sets) ? sets : []) {
      const at = s.finishedAt ?? s.createdAt;
      if (at) out.push({ at, kind: 'dump_set', label: `backup set ${s.id ?? ''}`.trim() });
    }
    const audit = (await list('audit.list')) as
      | { entries?: Array<{ at?: string; time?: string; operation?: string; op?: string }> }
      | Array<{ at?: string; time?: string; operation?: string; op?: string }>
      | undefined;
    const entries = Array.isArray(audit) ? audit : (audit?.entries ?? []);
    for (const e of entries.slice(-500)) {
      const at = e.at ?? e.time;
      if (at) out.push({ at, kind: 'operator', label: e.operation ?? e.op ?? 'operator action' });
    }
    return out;
  }

  /** Commits a transaction and closes the current segment on each running cluster, so "now" is archived. */
  private async closeSegments(clusters: PostgresCluster[]): Promise<void> {
    for (const c of clusters) {
      if (!c.pid() || !c.archivingEnabled) continue;
      const closed = await withClient(c, c.endpoint.port, async (client) => {
        // A commit after the target gives recovery a record to stop at; the switch sends its segment out.
        await client.query('SELECT txid_current()');
        return (await client.query<{ wal: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS wal'))
          .rows[0]!.wal;
      });
      const until = Date.now() + 30_000;
      while (Date.now() < until) {
        if (fs.existsSync(path.join(c.archiveDir, closed))) break;
        await sleep(100);
      }
    }
  }

  async check(to: Date, closeSegments = true): Promise<RecoveryPlan> {
    const { app, tpg } = await this.clusters();
    if (to.getTime() > Date.now()) {
      throw new OpsError(
        'INVALID_INPUT',
        `${to.toISOString()} is in the future.`,
        'Pick a moment in the past.',
      );
    }
    if (closeSegments) await this.closeSegments([app, tpg]);
    const plans = [app, tpg].map((c) =>
      planCluster(c.id, to, listBaseBackups(c), listSegments(c.archiveDir)),
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
      return await this.recoverBoth(to, inclusive, stackDir);
    } finally {
      recoveriesInProgress.delete(stackDir);
      this.busy = false;
    }
  }

  private async recoverBoth(to: Date, inclusive: boolean, stackDir: string): Promise<RecoveryResult> {
    const { app, tpg } = await this.clusters();
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
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const work = [app, tpg].map((cluster) => ({
      cluster,
      backup: listBaseBackups(cluster)
        .filter((b) => new Date(b.finishedAt) <= to)
        .at(-1)!,
      recovered: path.join(cluster.dir, `data.recovered-${stamp}`),
      old: path.join(cluster.dir, `data.old-${stamp}`),
      reachedAt: undefined as string | undefined,
    }));
    beginRecovery(
      stackDir,
      work.flatMap((w) => [w.recovered, `${w.recovered}.log`]),
    );
    try {
      // Restore each cluster into a new folder and let it replay the archive up to the moment.
      await Promise.all(work.map((w) => this.restoreInto(w, to, inclusive)));
    } catch (err) {
      for (const w of work) fs.rmSync(w.recovered, { recursive: true, force: true });
      endRecovery(stackDir);
      throw err;
    }
    // Swap both in with the worker and Temporal stopped.
    this.progress('swap', 'running', 'stopping the worker, Temporal and both databases');
    await this.stack.stop();
    swapFolders(
      stackDir,
      work.flatMap((w) => [
        { from: w.cluster.dataDir, to: w.old },
        { from: w.recovered, to: w.cluster.dataDir },
      ]),
    );
    this.progress('swap', 'done');
    let validation = '';
    try {
      this.progress('validate', 'running');
      await this.stack.start();
      const report = await validateStack(this.stack.spec(), { integration: true });
      validation = report.overall;
      if (report.overall === 'failed') {
        const failed = report.checks
          .filter((c) => c.status === 'failed')
          .map((c) => `${c.label}: ${c.detail}`);
        throw new Error(`validation failed: ${failed.join('; ')}`);
      }
      endRecovery(stackDir);
      this.progress('validate', 'done', report.overall);
    } catch (err) {
      this.progress('validate', 'failed', (err as Error).message);
      await this.stack.stop().catch(() => undefined);
      rollBackInterrupted(stackDir);
      await this.stack.start().catch(() => undefined);
      throw new OpsError(
        'STACK_FAILED',
        `The recovered databases did not pass validation (${(err as Error).message}); the previous databases are back in place.`,
        'Read the recovery log lines, pick another moment, and try again.',
      );
    }
    let reconciliation: unknown;
    const reconcile = await this.ctx.router.call('backups.reconcile', {});
    if (reconcile.ok) reconciliation = reconcile.result;
    this.progress('reconcile', 'done');
    return {
      to: to.toISOString(),
      clusters: work.map((w) => ({ cluster: w.cluster.id, reachedAt: w.reachedAt, oldDataDir: w.old })),
      validation,
      reconciliation,
    };
  }

  private async restoreInto(
    w: { cluster: PostgresCluster; backup: BaseBackup; recovered: string; reachedAt?: string },
    to: Date,
    inclusive: boolean,
  ): Promise<void> {
    const { cluster, backup, recovered } = w;
    const step = `restore ${cluster.id}`;
    this.progress(step, 'running', `from the base backup of ${backup.finishedAt}`);
    await run('cp', ['-a', backup.dir, recovered], { runAs: cluster.runAs });
    fs.rmSync(path.join(recovered, 'ops-console-base-backup.json'), { force: true });
    const own = (file: string) => cluster.runAs && fs.chownSync(file, cluster.runAs.uid, cluster.runAs.gid);
    fs.writeFileSync(path.join(recovered, 'recovery.signal'), '');
    own(path.join(recovered, 'recovery.signal'));
    const conf = path.join(recovered, 'postgresql.auto.conf');
    fs.appendFileSync(
      conf,
      [
        '',
        RECOVERY_MARKER,
        `restore_command = 'cp ${cluster.archiveDir}/%f "%p"'`,
        `recovery_target_time = '${to.toISOString().replace('T', ' ').replace('Z', '+00')}'`,
        `recovery_target_inclusive = ${inclusive ? 'on' : 'off'}`,
        `recovery_target_action = 'promote'`,
        `recovery_target_timeline = 'latest'`,
        '',
      ].join('\n'),
    );
    const port = await anyFreePort();
    const log = `${recovered}.log`;
    try {
      await cluster.start(recovered, port);
      const until = Date.now() + 10 * 60_000;
      for (;;) {
        const inRecovery = await withClient(
          cluster,
          port,
          async (c) => (await c.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]!.r,
        );
        if (!inRecovery) break;
        if (Date.now() > until)
          throw new Error(`${cluster.id} did not finish replaying the archive within 10 minutes`);
        await sleep(100);
      }
    } catch (err) {
      await cluster.stop(recovered).catch(() => undefined);
      const tail = fs.existsSync(log)
        ? fs
            .readFileSync(log, 'utf8')
            .split('\n')
            .filter((l) => /FATAL|ERROR/.test(l))
            .slice(-2)
            .join(' | ')
        : '';
      this.progress(step, 'failed', tail || (err as Error).message);
      throw new OpsError(
        'STACK_FAILED',
        `${cluster.id} could not be recovered to ${to.toISOString()}: ${tail || (err as Error).message}`,
        'Nothing was changed. Pick a moment the archive covers (see the timeline).',
      );
    }
    await cluster.stop(recovered);
    const text = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
    // The last transaction replayed is the moment reached. (The "recovery stopping before …" record names the first
    // transaction left out, which is after the moment by design; with none replayed since the base backup, the
    // cluster is as the backup left it and there is no such line.)
    const lastTx = /last completed transaction was at log time ([0-9-]+ [0-9:.]+[+-]\d\d)/.exec(text)?.[1];
    w.reachedAt = lastTx
      ? new Date(lastTx.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')).toISOString()
      : undefined;
    if (w.reachedAt && new Date(w.reachedAt) > new Date(to.getTime() + 1)) {
      throw new OpsError(
        'STACK_FAILED',
        `${cluster.id} replayed past the moment (${w.reachedAt}).`,
        'Nothing was changed; report this with the recovery log.',
      );
    }
    // The recovery settings served their purpose: the swapped-in cluster starts as an ordinary primary.
    const lines = fs.readFileSync(conf, 'utf8').split('\n');
    const at = lines.indexOf(RECOVERY_MARKER);
    fs.writeFileSync(conf, lines.slice(0, at === -1 ? lines.length : at).join('\n') + '\n');
    own(conf);
    this.progress(step, 'done', w.reachedAt ? `stopped at ${w.reachedAt}` : 'replayed to the moment');
  }

  async shutdown(): Promise<void> {
    if (this.schedule) clearInterval(this.schedule);
  }
}
