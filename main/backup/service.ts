// The backup capability: makes, verifies and restores sets of the app DB and the Temporal DB, with progress jobs.
import crypto from 'node:crypto';
import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { OpsError, toErrorShape } from '../api/errors';
import type {
  BackupJob,
  BackupKind,
  BackupManifest,
  BackupSchedule,
  BackupSetSummary,
  DatabaseBackup,
  OpParsedInput,
  ReconcileReport,
  RestorePlan,
  RestoreResult,
  ValidationCheck,
  Verification,
} from '../api/contract';
import { BackupScheduleSchema } from '../api/contract';
import type { ConsoleContext, ConsoleModule } from '../console';
import { migrateAppDb, migrationsDir } from '../db';
import { postgresUrl, resolveBinaries, type StackManager, type StackBinaries } from '../stack';
import type { PostgresEndpoint } from '../stack/provider';
import { latestSchemaVersion } from '../stack/local/temporal';
import type { WorkerSupervisor } from '../worker';
import type { CycleService } from '../temporal';
import { archiveKind, readArchive, readToc, readTocText, parseToc, syncTree, syncPath } from './archive';
import {
  createDatabase,
  databaseSizes,
  dropDatabase,
  listDatabases,
  ChecksumQueue,
  serverVersion,
  swapDatabases,
  withClient,
} from './database';
import { restoreRefusals, type RestoreTarget } from './guards';
import { backupProfile, dumpTargets } from './dump-pipeline';
import { DockerTools, LocalTools, type PgTools } from './tools';
import type { DockerProvider } from '../stack/docker';
import { reconcile } from './reconcile';
import { checkArchiveFiles, finishLoad, loadSchemaAndData, settleAll, type LoadOptions } from './load';
import {
  PARTIAL,
  MANIFEST,
  expiredSets,
  listSets,
  partialSets,
  readManifest,
  removeSet,
  setDir,
  summarise,
  writeFileAtomic,
  writeVerification,
} from './sets';

export interface BackupDeps {
  stack: StackManager;
  worker: WorkerSupervisor;
  cycles: CycleService;
  consoleVersion: string;
}

interface Target {
  kind: BackupKind;
  database: string;
  endpoint: PostgresEndpoint;
}

const LEFTOVER = /_(restore|old|verify)_\d{8}t\d{6}$/;
const LABEL: Record<BackupKind, string> = { app: 'app DB', temporal: 'Temporal DB' };

function stamp(d = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').toLowerCase();
}

class Job {
  readonly abort = new AbortController();
  readonly state: BackupJob;
  private lastEmit = 0;

  constructor(
    action: BackupJob['action'],
    private readonly emit: (job: BackupJob) => void,
  ) {
    // Every file read and psql child of the job listens for its cancellation.
    setMaxListeners(0, this.abort.signal);
    this.state = {
      id: crypto.randomUUID(),
      action,
      state: 'running',
      step: 'starting',
      tablesDone: 0,
      tablesTotal: 0,
      bytesDone: 0,
      bytesTotal: 0,
      startedAt: new Date().toISOString(),
    };
  }

  update(patch: Partial<BackupJob>, force = true): void {
    Object.assign(this.state, patch);
    const now = Date.now();
    if (force || now - this.lastEmit > 250) {
      this.lastEmit = now;
      this.emit({ ...this.state });
    }
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }
}

export class BackupService implements ConsoleModule {
  readonly name = 'backups';
  private readonly jobs = new Map<string, Job>();
  private exclusive: string | undefined;
  private scheduleTimer: NodeJS.Timeout | undefined;
  /** The read-only profile that refused the last scheduled backup (not asked again until it changes). */
  private refusedFor: string | null | undefined;
  private docker: DockerProvider | undefined;
  private readonly log;

  constructor(
    private readonly ctx: ConsoleContext,
    private readonly deps: BackupDeps,
  ) {
    this.log = ctx.log('backup');
    ctx.router.register({
      'backups.list': () => listSets(this.root()),
      'backups.create': (input) => this.run('create', (job) => this.create(input, job)),
      'backups.verify': ({ setId, trialRestore }) =>
        this.run('verify', (job) => this.verify(setId, trialRestore, job), false),
      'backups.plan': ({ setId, kinds }) => this.plan(setId, kinds),
      'backups.restore': (input) => this.run('restore', (job) => this.restore(input, job)),
      'backups.cancel': ({ jobId }) => {
        const job = this.jobs.get(jobId);
        if (!job || job.state.state !== 'running') return { cancelled: false };
        job.abort.abort();
        return { cancelled: true };
      },
      'backups.jobs': () => [...this.jobs.values()].map((j) => ({ ...j.state })),
      'backups.reconcile': () => reconcile(this.deps.stack.spec(), this.deps.cycles),
      'backups.leftovers': () => this.leftovers(),
      'backups.partials': () => {
        const writing = new Set(
          [...this.jobs.values()]
            .filter((j) => j.state.state === 'running')
            .map((j) => j.state.setId + PARTIAL),
        );
        return partialSets(this.root())
          .filter((id) => !writing.has(id))
          .map((id) => ({ id, bytes: treeSize(path.join(this.root(), id)) }));
      },
      'backups.dropLeftover': async ({ database }) => {
        const found = (await this.leftovers()).find((l) => l.database === database);
        if (!found)
          throw new OpsError(
            'NOT_FOUND',
            `${database} is not a database a restore left behind.`,
            'Only *_old_*, *_restore_* and *_verify_* databases can be removed here.',
          );
        await dropDatabase(this.endpointOf(found.kind), database);
        this.log.info(`removed ${database}`);
        return { dropped: true as const };
      },
      'backups.remove': ({ setId }) => {
        removeSet(this.root(), setId);
        this.publishSets();
        return { removed: true as const };
      },
      'backups.applyRetention': () => this.applyRetention(),
      'backups.schedule.get': () => this.schedule(),
      'backups.schedule.set': (schedule) => {
        writeFileAtomic(this.scheduleFile(), JSON.stringify(schedule, null, 2));
        this.armSchedule();
        return schedule;
      },
    });
    this.armSchedule();
    this.watchStackStarts();
    deps.stack.addChecks(({ integration }) => (integration ? this.agreementChecks() : Promise.resolve([])));
  }

  /** Validation: the app DB and Temporal agree (a lost or older Temporal DB shows as cycles it does not know). */
  private async agreementChecks(): Promise<ValidationCheck[]> {
    const started = performance.now();
    let report: ReconcileReport;
    try {
      report = await reconcile(this.deps.stack.spec(), this.deps.cycles);
    } catch {
      return []; // a database or Temporal does not answer: their own checks say so
    }
    if (!report.temporalReachable) return [];
    const lost = report.items.filter((i) => i.problem === 'unknown-to-temporal');
    const others = report.items.length - lost.length;
    const detail = lost.length
      ? `Temporal does not know ${lost.length} cycle(s) the app DB shows in flight (${lost.map((i) => i.cycleId).join(', ')}): ` +
        'the Temporal DB was lost or restored from an older set, and their running workflows with it.' +
        (others ? ` ${others} other difference(s).` : '')
      : report.items.length
        ? report.summary
        : 'Every cycle in flight in the app DB runs in Temporal, and every workflow has tracking rows.';
    return [
      {
        id: 'integration.agreement',
        group: 'integration',
        label: 'App DB and Temporal agree',
        status: report.items.length ? 'degraded' : 'healthy',
        detail,
        fix: report.items.length
          ? 'Backups → Reconciliation lists each with its fix (a lost cycle restarts from the phase after its last completed one); or `ops-console backup reconcile`.'
          : undefined,
        durationMs: Math.round(performance.now() - started),
      },
    ];
  }

  /**
   * Each time the stack comes up, compare the app DB with Temporal: a lost Temporal DB shows as cycles in flight
   * that Temporal does not know. The log says so, and the Backups page offers to restart them.
   */
  private watchStackStarts(): void {
    // One-shot CLI commands exit right after their work: a check still talking to Temporal then would be cut off.
    if (!this.ctx.longRunning) return;
    let wasRunning = false;
    this.ctx.router.events.subscribe((name, payload) => {
      if (name !== 'stack.status') return;
      const running = (payload as { state: string }).state === 'running';
      if (running && !wasRunning && !this.exclusive) void this.checkAfterStart();
      wasRunning = running;
    });
  }

  private async checkAfterStart(): Promise<void> {
    try {
      const report = await reconcile(this.deps.stack.spec(), this.deps.cycles);
      this.ctx.router.events.emit('backup.reconcile', report);
      const lost = report.items.filter((i) => i.problem === 'unknown-to-temporal');
      if (lost.length)
        this.log.warn(
          `Temporal does not know ${lost.length} cycle(s) the app DB shows in flight (${lost.map((i) => i.cycleId).join(', ')}): ` +
            'the Temporal DB was lost or restored from an older set, and their running workflows with it. ' +
            'Backups → Reconciliation restarts each from the phase after its last completed one.',
        );
      else if (report.items.length) this.log.warn(report.summary + ' See Backups → Reconciliation.');
    } catch (err) {
      this.log.warn(`could not compare the app DB with Temporal after start: ${toErrorShape(err).message}`);
    }
  }

  root(): string {
    const dir = path.join(this.ctx.dataDir, 'backups');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  private binaries(): StackBinaries {
    return resolveBinaries(this.ctx.settings.get(), { ui: false });
  }

  /** pg_dump, pg_restore and psql for a cluster: local binaries, or inside its container on Docker. */
  private async tools(kind: BackupKind): Promise<PgTools> {
    const spec = this.deps.stack.spec();
    const endpoint = this.endpointOf(kind);
    if (spec.provider === 'docker') {
      const { DockerProvider } = await import('../stack/docker');
      this.docker ??= new DockerProvider(spec, this.ctx.settings.get().stack.docker);
      const docker = this.docker;
      const service = kind === 'app' ? 'app-postgres' : 'temporal-postgres';
      const inside = docker.settings.network === 'host' ? endpoint.port : 5432;
      return new DockerTools(() => docker.serviceContainer(service), endpoint, inside);
    }
    return new LocalTools(this.binaries(), endpoint);
  }

  private endpointOf(kind: BackupKind): PostgresEndpoint {
    const spec = this.deps.stack.spec();
    return kind === 'app' ? spec.appPostgres : spec.temporalPostgres;
  }

  private targets(kinds: BackupKind[]): Target[] {
    const spec = this.deps.stack.spec();
    const list: Target[] = [];
    if (kinds.includes('app'))
      list.push({ kind: 'app', database: spec.appPostgres.database, endpoint: spec.appPostgres });
    if (kinds.includes('temporal'))
      for (const database of spec.temporalPostgres.databases)
        list.push({ kind: 'temporal', database, endpoint: spec.temporalPostgres });
    return list;
  }

  private publishSets(): void {
    this.ctx.router.events.emit('backup.sets', listSets(this.root()));
  }

  /** Runs a job; create and restore never overlap (they stop and start the worker). */
  private async run<T>(
    action: BackupJob['action'],
    work: (job: Job) => Promise<T>,
    exclusive = true,
  ): Promise<T> {
    if (exclusive && this.exclusive)
      throw new OpsError(
        'CONFLICT',
        `A backup or restore is already running (${this.exclusive}).`,
        'Wait for it to finish, or cancel it on the Backups page.',
      );
    const job = new Job(action, (j) => this.ctx.router.events.emit('backup.job', j));
    this.jobs.set(job.state.id, job);
    for (const [id, j] of this.jobs)
      if (this.jobs.size > 20 && j.state.state !== 'running') this.jobs.delete(id);
    if (exclusive) this.exclusive = action;
    job.update({});
    try {
      const result = await work(job);
      job.update({ state: 'done', step: 'done' });
      return result;
    } catch (err) {
      const shape = toErrorShape(err);
      job.update({
        state: job.signal.aborted ? 'cancelled' : 'failed',
        error: { code: shape.code, message: shape.message, hint: shape.hint },
      });
      if (job.signal.aborted && !(err instanceof OpsError))
        throw new OpsError(
          'CONFLICT',
          `The ${action} was cancelled; nothing was changed.`,
          'Start it again when ready.',
        );
      throw err;
    } finally {
      if (exclusive) this.exclusive = undefined;
    }
  }

  // ---------------------------------------------------------------- create

  async create(input: OpParsedInput<'backups.create'>, job: Job): Promise<BackupSetSummary> {
    const root = this.root();
    const targets = this.targets(input.kinds);
    job.update({ step: 'Checking free disk space' });
    const sizes = (
      await Promise.all(
        [...new Set(targets.map((t) => t.kind))].map((kind) =>
          databaseSizes(
            this.endpointOf(kind),
            targets.filter((t) => t.kind === kind).map((t) => t.database),
          ),
        ),
      )
    ).flat();
    const need = sizes.reduce((n, s) => n + s.sizeBytes, 0);
    const stat = fs.statfsSync(root);
    const free = stat.bavail * stat.bsize;
    // The compressed archive is smaller than the database (no indexes, gzip), so its size is a safe bound.
    if (free < need)
      throw new OpsError(
        'NO_SPACE',
        `Not enough free disk space for the backup: ${mb(free)} free in ${root}, up to ${mb(need)} needed.`,
        'Free some space (remove old sets on the Backups page) and try again.',
      );
    const id = this.newSetId(root, input.kinds);
    const partial = path.join(root, id + PARTIAL);
    fs.mkdirSync(partial, { mode: 0o700 });
    job.update({ setId: id, bytesTotal: need });

    const workerState = this.deps.worker.current().state;
    const quiesce = input.quiesce && workerState !== 'stopped' && workerState !== 'crashed';
    const databases: DatabaseBackup[] = [];
    const createdAt = new Date().toISOString();
    try {
      if (quiesce) {
        job.update({ step: 'Draining the worker (in-flight activities finish, no new tasks)' });
        await this.deps.worker.stop();
      }
      try {
        databases.push(...(await this.dumpAll(targets, partial, input.jobs, job)));
      } finally {
        if (quiesce) {
          job.update({ step: 'Resuming the worker' });
          await this.deps.worker
            .start()
            .catch((err: Error) => this.log.warn(`worker did not resume: ${err.message}`));
        }
      }
      const starts = databases.map((d) => Date.parse(d.startedAt));
      const skewMs = Math.max(...starts) - Math.min(...starts);
      const manifest: BackupManifest = {
        format: 'ops-console-backup',
        formatVersion: 1,
        id,
        createdAt,
        finishedAt: new Date().toISOString(),
        consoleVersion: this.deps.consoleVersion,
        provider: this.deps.stack.spec().provider,
        kinds: input.kinds,
        consistency: {
          quiesced: quiesce || workerState === 'stopped',
          skewMs: quiesce || workerState === 'stopped' ? 0 : skewMs,
          note: quiesce
            ? 'The worker was drained for the whole backup: app DB and Temporal DB are from one quiet moment.'
            : workerState === 'stopped'
              ? 'The worker was not running: nothing changed the databases during the backup.'
              : `The worker kept running: the databases were read up to ${(skewMs / 1000).toFixed(1)} s apart and may disagree about cycles that moved meanwhile.`,
        },
        databases,
        label: input.label,
      };
      job.update({ step: 'Writing the manifest and syncing' });
      const manifestAt = performance.now();
      writeFileAtomic(path.join(partial, MANIFEST), JSON.stringify(manifest, null, 2));
      syncTree(partial);
      backupProfile.last.manifestMs += performance.now() - manifestAt;
      if (job.signal.aborted)
        throw new OpsError('CONFLICT', 'Cancelled by the operator.', 'Start it again when ready.');
      fs.renameSync(partial, setDir(root, id));
      syncPath(root);
      // Every file was read back and hashed as it was recorded: the set is verified as written.
      writeVerification(root, id, {
        ok: true,
        at: new Date().toISOString(),
        trialRestore: false,
        problems: [],
      });
      this.log.info(`backup set ${id} written (${mb(databases.reduce((n, d) => n + d.bytes, 0))})`);
      await this.retentionAsScheduler();
      this.publishSets();
      return summarise(root, manifest);
    } catch (err) {
      fs.rmSync(partial, { recursive: true, force: true });
      throw err;
    }
  }

  private newSetId(root: string, kinds: BackupKind[]): string {
    const base = `${stamp()}-${[...kinds].sort().join('-')}`;
    let id = base;
    for (let i = 2; fs.existsSync(path.join(root, id)) || fs.existsSync(path.join(root, id + PARTIAL)); i++)
      id = `${base}-${i}`;
    return id;
  }

  /** Every database of the set dumped side by side, each file hashed and checksummed as it is written. */
  private async dumpAll(
    targets: Target[],
    partial: string,
    jobs: number,
    job: Job,
  ): Promise<DatabaseBackup[]> {
    return dumpTargets(targets, {
      tools: (kind) => this.tools(kind),
      partial,
      jobs,
      signal: job.signal,
      progress: {
        step: (step, database) => job.update({ step, database }),
        addTables: (n) => job.update({ tablesTotal: job.state.tablesTotal + n }),
        tableDone: () => job.update({ tablesDone: job.state.tablesDone + 1 }, false),
        bytes: (n) => job.update({ bytesDone: job.state.bytesDone + n }, false),
      },
    });
  }

  // ---------------------------------------------------------------- verify

  async verify(setId: string, trialRestore: boolean, job: Job): Promise<Verification> {
    const root = this.root();
    const manifest = readManifest(root, setId);
    const problems: string[] = [];
    const total = manifest.databases.reduce((n, d) => n + d.bytes, 0);
    job.update({
      setId,
      bytesTotal: total,
      tablesTotal: manifest.databases.reduce((n, d) => n + d.tables.length, 0),
    });
    let bytesDone = 0;
    for (const db of manifest.databases) {
      job.update({ step: `Reading ${db.database} in full`, database: db.database });
      problems.push(
        ...(await this.checkArchive(root, manifest, db, job, (n) => {
          bytesDone += n;
          job.update({ bytesDone }, false);
        })),
      );
    }
    if (trialRestore && problems.length === 0) {
      for (const db of manifest.databases) {
        const scratch = `${db.database}_verify_${stamp()}`;
        const endpoint = this.endpointOf(db.kind);
        job.update({ step: `Trial restore of ${db.database} into ${scratch}`, database: db.database });
        try {
          await createDatabase(endpoint, scratch);
          // The same load a restore does (every file checked as it loads), then a read of every table back.
          const tools = await this.tools(db.kind);
          const dir = path.join(setDir(root, setId), db.archive);
          const load: LoadOptions = {
            tools,
            endpoint,
            database: scratch,
            dir,
            db,
            toc: await readTocText(tools, dir),
            signal: job.signal,
          };
          await loadSchemaAndData(load);
          await finishLoad(load);
          const queue = new ChecksumQueue(load.tools, endpoint, scratch, job.signal);
          job.update({ step: `Comparing ${scratch} with the manifest` });
          problems.push(...(await this.compareLive(queue, scratch, db)));
        } catch (err) {
          problems.push(`Trial restore of ${db.database} failed: ${toErrorShape(err).message}`);
        } finally {
          await dropDatabase(endpoint, scratch).catch(() => undefined);
        }
      }
    }
    const result: Verification = {
      ok: problems.length === 0,
      at: new Date().toISOString(),
      trialRestore,
      problems,
    };
    writeVerification(root, setId, result);
    this.publishSets();
    return result;
  }

  /** File hashes, a full decompressing read, and the archive's own table list, against the manifest. */
  private async checkArchive(
    root: string,
    manifest: BackupManifest,
    db: DatabaseBackup,
    job: Job,
    onBytes: (n: number) => void,
    content = true,
  ): Promise<string[]> {
    const dir = path.join(setDir(root, manifest.id), db.archive);
    if (!fs.existsSync(dir)) return [`The archive of ${db.database} is missing (${dir}).`];
    const problems: string[] = [];
    try {
      const kind = archiveKind(await readToc(await this.tools(db.kind), dir));
      if (kind !== db.kind)
        problems.push(
          kind === 'foreign'
            ? `The archive of ${db.database} is not a backup of the app DB or the Temporal DB.`
            : `The archive of ${db.database} holds a backup of the ${LABEL[kind]}, but the manifest says ${LABEL[db.kind]}.`,
        );
    } catch (err) {
      return [toErrorShape(err).message];
    }
    let read;
    try {
      read = await readArchive(setDir(root, manifest.id), db.archive, {
        onBytes,
        signal: job.signal,
        content,
      });
    } catch (err) {
      if (job.signal.aborted) throw err;
      return [...problems, toErrorShape(err).message];
    }
    const onDisk = new Map(read.files.map((f) => [f.path, f]));
    for (const f of db.files) {
      const found = onDisk.get(f.path);
      if (!found) problems.push(`${f.path} is missing.`);
      else if (found.size !== f.size)
        problems.push(
          `${f.path} is ${found.size} bytes, the manifest says ${f.size} (truncated or replaced).`,
        );
      else if (found.sha256 !== f.sha256)
        problems.push(`${f.path} does not match its sha256 (corrupted or replaced).`);
      onDisk.delete(f.path);
    }
    for (const extra of onDisk.keys()) problems.push(`${extra} is not part of the set.`);
    for (const t of content ? db.tables : []) {
      const c = read.tables.get(t.dumpId);
      if (!c || c.checksum !== t.checksum || c.rows !== t.rows)
        problems.push(`The data of ${t.schema}.${t.name} in ${db.database} does not match the manifest.`);
    }
    job.update({ tablesDone: job.state.tablesDone + db.tables.length });
    return problems;
  }

  private async compareLive(queue: ChecksumQueue, database: string, db: DatabaseBackup): Promise<string[]> {
    const live = await queue.drain(db.tables.map((t) => `${t.schema}.${t.name}`));
    const problems: string[] = [];
    for (const t of db.tables) {
      const c = live.get(`${t.schema}.${t.name}`);
      if (!c) problems.push(`${t.schema}.${t.name} is missing from the restored ${db.database}.`);
      else if (c.rows !== t.rows || c.checksum !== t.checksum)
        problems.push(
          `${t.schema}.${t.name} restored into ${database} differs from the backup (${c.rows} rows, manifest ${t.rows}).`,
        );
    }
    return problems;
  }

  // ---------------------------------------------------------------- restore

  private async restoreTarget(kinds: BackupKind[]): Promise<RestoreTarget> {
    const serverMajor: Record<BackupKind, number> = { app: 0, temporal: 0 };
    for (const kind of kinds)
      serverMajor[kind] = (await withClient(this.endpointOf(kind), 'postgres', serverVersion)).major;
    const knownMigrations = fs
      .readdirSync(migrationsDir())
      .filter((f) => /\.(sql|js|ts)$/.test(f))
      .map((f) => f.replace(/\.(sql|js|ts)$/, ''));
    const temporalSchemaLatest: Record<string, string> = {};
    for (const db of this.deps.stack.spec().temporalPostgres.databases) {
      try {
        temporalSchemaLatest[db] = latestSchemaVersion(this.binaries().schemaDir, db);
      } catch {
        // no schema folder: the guard cannot judge, and the server's own check applies at start
      }
    }
    return { serverMajor, knownMigrations, temporalSchemaLatest };
  }

  async plan(setId: string, kinds?: BackupKind[]): Promise<RestorePlan> {
    return (await this.planWithTocs(setId, kinds)).plan;
  }

  /** The plan, and each archive's table of contents it read (the restore loads with them). */
  private async planWithTocs(
    setId: string,
    kinds?: BackupKind[],
  ): Promise<{ plan: RestorePlan; tocs: Map<string, string> }> {
    const root = this.root();
    const manifest = readManifest(root, setId);
    const wanted = kinds ?? manifest.kinds;
    const archiveKinds: Record<string, BackupKind | 'foreign'> = {};
    const tocs = new Map<string, string>();
    for (const db of manifest.databases.filter((d) => wanted.includes(d.kind))) {
      try {
        const toc = await readTocText(await this.tools(db.kind), path.join(setDir(root, setId), db.archive));
        tocs.set(db.database, toc);
        archiveKinds[db.database] = archiveKind(parseToc(toc));
      } catch {
        archiveKinds[db.database] = 'foreign';
      }
    }
    const refusals = restoreRefusals(manifest, wanted, await this.restoreTarget(wanted), archiveKinds);
    const replaces: RestorePlan['replaces'] = [];
    for (const db of manifest.databases.filter((d) => wanted.includes(d.kind))) {
      const [size] = await databaseSizes(this.endpointOf(db.kind), [db.database]);
      replaces.push({
        kind: db.kind,
        database: db.database,
        currentSizeBytes: size?.sizeBytes ?? 0,
        keptAs: `${db.database}_old_<time of the restore>`,
        backupTakenAt: db.startedAt,
      });
    }
    const stops = [
      'the worker (drained first)',
      ...(wanted.includes('temporal') ? ['the Temporal server'] : []),
    ];
    const summary = refusals.length
      ? `This set cannot be restored: ${refusals.join(' ')}`
      : `Replaces ${replaces.map((r) => r.database).join(', ')} with the copies taken ${new Date(manifest.createdAt).toLocaleString()}. ` +
        `Stops ${stops.join(' and ')} meanwhile. The current databases are kept (renamed *_old_<time>) until you remove them. ` +
        `Anything written since the backup is not in the restored databases.`;
    return { plan: { setId, kinds: wanted, replaces, stops, refusals, summary }, tocs };
  }

  async restore(input: OpParsedInput<'backups.restore'>, job: Job): Promise<RestoreResult> {
    const root = this.root();
    job.update({ setId: input.setId, step: 'Checking the set against this stack' });
    const { plan, tocs } = await this.planWithTocs(input.setId, input.kinds);
    if (plan.refusals.length)
      throw new OpsError(
        'BACKUP_INCOMPATIBLE',
        plan.refusals.join(' '),
        'Choose a set this console and stack can take.',
        {
          refusals: plan.refusals,
        },
      );
    const unconfirmed = plan.replaces
      .filter((r) => !input.confirm.includes(r.database))
      .map((r) => r.database);
    if (unconfirmed.length)
      throw new OpsError(
        'INVALID_INPUT',
        `Confirm the replacement of ${unconfirmed.join(', ')} by naming each database.`,
        'Type the name of every database that will be replaced.',
      );
    const manifest = readManifest(root, input.setId);
    const dbs = manifest.databases.filter((d) => plan.kinds.includes(d.kind));
    // Every file present at its size and the tables of contents intact, before anything is created or stopped;
    // the data files are checked byte for byte as they load.
    job.update({ step: "Checking the set's files against the manifest" });
    const problems = dbs.flatMap((db) => checkArchiveFiles(setDir(root, manifest.id), db));
    if (problems.length)
      throw new OpsError(
        'BACKUP_INVALID',
        `The set failed verification: ${problems.join(' ')}`,
        'Nothing was changed. Use another set.',
        { problems },
      );
    const dataFiles = dbs.flatMap((d) => d.files.filter((f) => /\.dat(\.gz)?$/.test(f.path)));
    job.update({
      tablesDone: 0,
      tablesTotal: dbs.reduce((n, d) => n + d.tables.length, 0),
      bytesDone: 0,
      bytesTotal: dataFiles.reduce((n, f) => n + f.size, 0),
    });
    const at = stamp();
    const workerState = this.deps.worker.current().state;
    const workerWasOn = workerState !== 'stopped' && workerState !== 'crashed';
    const swapped: Array<{ database: string; keptOldAs: string }> = [];
    const migrationsApplied: string[] = [];
    const created: Array<{ endpoint: PostgresEndpoint; name: string; db: DatabaseBackup }> = [];
    let restored = false;
    const phase = new AbortController();
    try {
      // 1. The new databases, loaded side by side while everything keeps running: a damaged or foreign file is
      //    found here, and then nothing was stopped and the new databases go.
      const signal = AbortSignal.any([job.signal, phase.signal]);
      setMaxListeners(0, signal);
      job.update({ step: `Loading and checking ${dbs.map((d) => d.database).join(', ')}` });
      const loads = await settleAll(
        dbs.map(async (db) => {
          const endpoint = this.endpointOf(db.kind);
          const name = `${db.database}_restore_${at}`;
          await createDatabase(endpoint, name);
          created.push({ endpoint, name, db });
          const load: LoadOptions = {
            tools: await this.tools(db.kind),
            endpoint,
            database: name,
            dir: path.join(setDir(root, manifest.id), db.archive),
            db,
            toc: tocs.get(db.database)!,
            signal,
            onBytes: (n) => job.update({ bytesDone: job.state.bytesDone + n }, false),
            onTableDone: () => job.update({ tablesDone: job.state.tablesDone + 1 }, false),
          };
          await loadSchemaAndData(load);
          return load;
        }),
        phase,
      );
      // 2. Every byte matched the manifest. The indexes build while the worker drains; the Temporal DB (small) is
      //    ready first: Temporal stops, its databases swap, and it starts again while the app DB's indexes build.
      job.update({ step: 'Building indexes and constraints while the worker stops' });
      const finished = new Map(
        loads.map((load) => {
          const done = (async () => {
            await finishLoad(load);
            // An app DB from an older console gets this console's newer migrations before it goes live.
            if (load.db.kind === 'app')
              migrationsApplied.push(
                ...(await migrateAppDb(postgresUrl(load.endpoint, load.database))).applied,
              );
          })();
          done.catch(() => phase.abort());
          return [load.db, done] as const;
        }),
      );
      const ready = (kind: BackupKind) =>
        Promise.all([...finished].filter(([db]) => db.kind === kind).map(([, done]) => done));
      if (workerWasOn) await this.deps.worker.stop();
      const undo: Array<() => Promise<void>> = [];
      try {
        for (const kind of (['temporal', 'app'] as BackupKind[]).filter((k) => plan.kinds.includes(k))) {
          const group = created.filter((c) => c.db.kind === kind);
          const swap = async (stopped: Promise<void> = Promise.resolve()) => {
            await ready(kind);
            await stopped;
            if (job.signal.aborted) throw cancelled();
            undo.push(await this.swapKind(kind, group, at, swapped, job));
          };
          // The Temporal server holds shard locks on the databases being replaced, and its state lives in them:
          // a graceful shutdown (over a second) would buy nothing.
          if (kind === 'temporal')
            await this.deps.stack.withServiceStopped('temporal', swap, { overlap: true, discarding: true });
          else await swap();
        }
      } catch (err) {
        for (const u of undo.reverse())
          await u().catch((e: Error) =>
            this.log.error(`putting back the previous databases failed: ${e.message}`),
          );
        throw err;
      }
      created.length = 0; // they are the live databases now
      swapped.sort(
        (x, y) =>
          dbs.findIndex((d) => d.database === x.database) - dbs.findIndex((d) => d.database === y.database),
      );
      restored = true;
    } finally {
      phase.abort(); // whatever still runs on the new databases stops before they are dropped
      for (const c of created) await dropDatabase(c.endpoint, c.name).catch(() => undefined);
      if (workerWasOn && !restored) {
        job.update({ step: 'Starting the worker again' });
        await this.startWorker();
      }
    }
    // 3. The worker starts while the stack is validated.
    job.update({ step: 'Validating the stack' });
    const workerStarted = workerWasOn ? this.startWorker() : Promise.resolve();
    // The comparison with Temporal reads only: it runs while the stack is validated.
    const reconciled = reconcile(this.deps.stack.spec(), this.deps.cycles).catch(() => undefined);
    this.log.info(`restored ${swapped.map((s) => s.database).join(', ')} from ${manifest.id}`);
    let validation = 'not run';
    try {
      const report = await this.ctx.router.invoke('stack.validate', { integration: false });
      validation = report.overall;
    } catch (err) {
      validation = `failed: ${toErrorShape(err).message}`;
    }
    await workerStarted;
    job.update({ step: 'Reconciling the app DB with Temporal' });
    const rec = await reconciled;
    return {
      setId: manifest.id,
      restored: swapped,
      checksumsMatched: dbs.reduce((n, d) => n + d.tables.length, 0),
      migrationsApplied,
      validation,
      reconcile: rec,
    };
  }

  private startWorker(): Promise<void> {
    return this.deps.worker.start().then(
      () => undefined,
      (err: Error) => void this.log.warn(`worker did not start: ${err.message}`),
    );
  }

  /**
   * Swaps one cluster's restored databases in, in one transaction; returns what puts the previous ones back
   * (with Temporal stopped again around it when they are the Temporal DB's).
   */
  private async swapKind(
    kind: BackupKind,
    group: Array<{ endpoint: PostgresEndpoint; name: string; db: DatabaseBackup }>,
    at: string,
    swapped: Array<{ database: string; keptOldAs: string }>,
    job: Job,
  ): Promise<() => Promise<void>> {
    const endpoint = group[0]!.endpoint;
    const pairs = group.map((c) => ({
      live: c.db.database,
      replacement: c.name,
      keepAs: `${c.db.database}_old_${at}`,
    }));
    job.update({ step: `Swapping in the restored ${LABEL[kind]}` });
    await swapDatabases(endpoint, pairs);
    for (const p of pairs) swapped.push({ database: p.live, keptOldAs: p.keepAs });
    return async () => {
      job.update({ step: `Putting the previous ${LABEL[kind]} back` });
      const back = () =>
        swapDatabases(
          endpoint,
          pairs.map((p) => ({ live: p.live, replacement: p.keepAs, keepAs: p.replacement })),
        );
      if (kind === 'temporal')
        await this.deps.stack.withServiceStopped('temporal', back, { discarding: true });
      else await back();
      swapped.splice(0, swapped.length, ...swapped.filter((s) => !pairs.some((p) => p.live === s.database)));
    };
  }

  async leftovers(): Promise<Array<{ kind: BackupKind; database: string; sizeBytes: number }>> {
    const out: Array<{ kind: BackupKind; database: string; sizeBytes: number }> = [];
    for (const kind of ['app', 'temporal'] as BackupKind[]) {
      try {
        for (const d of await listDatabases(this.endpointOf(kind)))
          if (LEFTOVER.test(d.database)) out.push({ kind, ...d });
      } catch {
        // that cluster is down: nothing to list
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- schedule and retention

  private scheduleFile(): string {
    return path.join(this.root(), 'schedule.json');
  }

  schedule(): BackupSchedule {
    try {
      return BackupScheduleSchema.parse(JSON.parse(fs.readFileSync(this.scheduleFile(), 'utf8')));
    } catch {
      return { enabled: false, everyHours: 24, kinds: ['app', 'temporal'], keepLast: 7 };
    }
  }

  private armSchedule(): void {
    if (this.scheduleTimer) clearInterval(this.scheduleTimer);
    this.scheduleTimer = undefined;
    if (!this.ctx.longRunning || !this.schedule().enabled) return;
    this.scheduleTimer = setInterval(() => void this.scheduledTick(), 60_000);
    this.scheduleTimer.unref();
  }

  /**
   * One look at the schedule: backs up when the newest set is older than the interval. Returns the new set.
   * The backup goes through the router as `scheduler`, like an operator's: refused on a read-only profile
   * (once in the audit trail, then not tried again while the profile stays locked) and audited when done.
   */
  async scheduledTick(): Promise<BackupSetSummary | undefined> {
    const s = this.schedule();
    if (!s.enabled || this.exclusive || this.deps.stack.status().state !== 'running') return undefined;
    const newest = listSets(this.root())[0];
    if (newest && Date.now() - Date.parse(newest.createdAt) < s.everyHours * 3_600_000) return undefined;
    const mode = this.ctx.profiles.mode();
    if (mode.readOnly && this.refusedFor === mode.name) return undefined;
    try {
      return await this.ctx.router.invoke(
        'backups.create',
        { kinds: s.kinds, quiesce: true, jobs: 2, label: 'scheduled' },
        { actor: 'scheduler' },
      );
    } catch (err) {
      const shape = toErrorShape(err);
      if (shape.code === 'READ_ONLY') this.refusedFor = mode.name;
      this.log.error(
        `scheduled backup ${shape.code === 'READ_ONLY' ? 'refused' : 'failed'}: ${shape.message}`,
      );
      return undefined;
    }
  }

  /** Retention runs after every backup, as the scheduler's act (it follows the schedule, not the operator). */
  private async retentionAsScheduler(): Promise<void> {
    const s = this.schedule();
    if (!s.enabled || (s.keepLast === undefined && s.keepDays === undefined)) return;
    if (expiredSets(listSets(this.root()), s, new Date()).length === 0) return;
    await this.ctx.router
      .invoke('backups.applyRetention', {}, { actor: 'scheduler' })
      .catch((err: unknown) => this.log.warn(`retention: ${toErrorShape(err).message}`));
  }

  private applyRetention(): { removed: string[] } {
    const s = this.schedule();
    if (!s.enabled || (s.keepLast === undefined && s.keepDays === undefined)) return { removed: [] };
    const removed: string[] = [];
    for (const id of expiredSets(listSets(this.root()), s, new Date())) {
      removeSet(this.root(), id);
      removed.push(id);
      this.log.info(`retention removed backup set ${id}`);
    }
    if (removed.length) this.publishSets();
    return { removed };
  }

  async shutdown(): Promise<void> {
    if (this.scheduleTimer) clearInterval(this.scheduleTimer);
    for (const job of this.jobs.values()) if (job.state.state === 'running') job.abort.abort();
  }
}

const cancelled = () =>
  new OpsError('CONFLICT', 'Cancelled by the operator; nothing was swapped.', 'Start again when ready.');

function mb(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

function treeSize(p: string): number {
  try {
    const stat = fs.statSync(p);
    if (!stat.isDirectory()) return stat.size;
    return fs.readdirSync(p).reduce((n, f) => n + treeSize(path.join(p, f)), 0);
  } catch {
    return 0;
  }
}
