// The backup capability: makes, verifies and restores sets of the app DB and the Temporal DB, with progress jobs.
// This facade wires the operations to the router; each lives in its own file (create, verify, plan, restore,
// schedule, leftovers, agreement).
import path from 'node:path';
import type { BackupSetSummary } from '../api';
import type { ConsoleContext, ConsoleModule } from '../context';
import { agreementChecks, watchStackStarts } from './agreement';
import { createSet } from './create';
import { BackupEnv, type BackupDeps } from './env';
import { JobRegistry } from './jobs';
import { dropLeftover, leftovers } from './leftovers';
import { plan } from './plan';
import { reconcile } from './reconcile';
import { restoreSet } from './restore';
import { BackupScheduler } from './schedule';
import { listSets, partialSets, removeSet, treeSize } from './sets';
import { verifySet } from './verify';

export type { BackupDeps } from './env';

export class BackupService implements ConsoleModule {
  readonly name = 'backups';
  private readonly env: BackupEnv;
  private readonly jobs: JobRegistry;
  private readonly scheduler: BackupScheduler;

  constructor(ctx: ConsoleContext, deps: BackupDeps) {
    const env = (this.env = new BackupEnv(ctx, deps));
    const jobs = (this.jobs = new JobRegistry((j) => ctx.router.events.emit('backup.job', j)));
    const busy = () => jobs.exclusive !== undefined;
    const scheduler = (this.scheduler = new BackupScheduler(env, busy));
    ctx.router.register({
      'backups.list': () => listSets(env.root()),
      'backups.create': (input) =>
        jobs.run('create', (job) => createSet(env, input, job, () => scheduler.retentionAsScheduler())),
      'backups.verify': ({ setId, trialRestore }) =>
        jobs.run('verify', (job) => verifySet(env, setId, trialRestore, job), false),
      'backups.plan': ({ setId, kinds }) => plan(env, setId, kinds),
      'backups.restore': (input) => jobs.run('restore', (job) => restoreSet(env, input, job)),
      'backups.cancel': ({ jobId }) => jobs.cancel(jobId),
      'backups.jobs': () => jobs.list(),
      'backups.reconcile': () => reconcile(deps.stack.spec(), deps.cycles),
      'backups.leftovers': () => leftovers(env),
      'backups.partials': () => {
        const writing = jobs.writing();
        return partialSets(env.root())
          .filter((id) => !writing.has(id))
          .map((id) => ({ id, bytes: treeSize(path.join(env.root(), id)) }));
      },
      'backups.dropLeftover': ({ database }) => dropLeftover(env, database),
      'backups.remove': ({ setId }) => {
        removeSet(env.root(), setId);
        env.publishSets();
        return { removed: true as const };
      },
      'backups.applyRetention': () => scheduler.applyRetention(),
      'backups.schedule.get': () => scheduler.get(),
      'backups.schedule.set': (schedule) => scheduler.set(schedule),
    });
    scheduler.arm();
    watchStackStarts(env, busy);
    deps.stack.addChecks(({ integration }) => (integration ? agreementChecks(env) : Promise.resolve([])));
  }

  root(): string {
    return this.env.root();
  }

  /** One look at the backup schedule (see BackupScheduler.tick). */
  scheduledTick(): Promise<BackupSetSummary | undefined> {
    return this.scheduler.tick();
  }

  async shutdown(): Promise<void> {
    this.scheduler.stop();
    this.jobs.cancelAll();
  }
}
