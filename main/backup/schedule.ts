// Scheduled backups and retention: a timer looks at the schedule every minute; retention follows each backup.
import fs from 'node:fs';
import path from 'node:path';
import { toErrorShape } from '../api';
import type { BackupSchedule, BackupSetSummary } from '../api';
import { BackupScheduleSchema } from '../api';
import type { BackupEnv } from './env';
import { writeFileAtomic } from '../settings';
import { expiredSets, listSets, removeSet } from './sets';

export class BackupScheduler {
  private timer: NodeJS.Timeout | undefined;
  /** The read-only profile that refused the last scheduled backup (not asked again until it changes). */
  private refusedFor: string | null | undefined;

  constructor(
    private readonly env: BackupEnv,
    /** A create or restore running now (the tick waits for the next minute). */
    private readonly busy: () => boolean,
  ) {}

  private file(): string {
    return path.join(this.env.root(), 'schedule.json');
  }

  get(): BackupSchedule {
    try {
      return BackupScheduleSchema.parse(JSON.parse(fs.readFileSync(this.file(), 'utf8')));
    } catch {
      return { enabled: false, everyHours: 24, kinds: ['app', 'temporal'], keepLast: 7 };
    }
  }

  set(schedule: BackupSchedule): BackupSchedule {
    writeFileAtomic(this.file(), JSON.stringify(schedule, null, 2));
    this.arm();
    return schedule;
  }

  arm(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.env.ctx.longRunning || !this.get().enabled) return;
    this.timer = setInterval(() => void this.tick(), 60_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * One look at the schedule: backs up when the newest set is older than the interval. Returns the new set.
   * The backup goes through the router as `scheduler`, like an operator's: refused on a read-only profile
   * (once in the audit trail, then not tried again while the profile stays locked) and audited when done.
   */
  async tick(): Promise<BackupSetSummary | undefined> {
    const { ctx, deps, log } = this.env;
    const s = this.get();
    if (!s.enabled || this.busy() || deps.stack.status().state !== 'running') return undefined;
    const newest = listSets(this.env.root())[0];
    if (newest && Date.now() - Date.parse(newest.createdAt) < s.everyHours * 3_600_000) return undefined;
    const mode = ctx.profiles.mode();
    if (mode.readOnly && this.refusedFor === mode.name) return undefined;
    try {
      return await ctx.router.invoke(
        'backups.create',
        { kinds: s.kinds, quiesce: true, jobs: 2, label: 'scheduled' },
        { actor: 'scheduler' },
      );
    } catch (err) {
      const shape = toErrorShape(err);
      if (shape.code === 'READ_ONLY') this.refusedFor = mode.name;
      log.error(`scheduled backup ${shape.code === 'READ_ONLY' ? 'refused' : 'failed'}: ${shape.message}`);
      return undefined;
    }
  }

  /** Retention runs after every backup, as the scheduler's act (it follows the schedule, not the operator). */
  async retentionAsScheduler(): Promise<void> {
    const s = this.get();
    if (!s.enabled || (s.keepLast === undefined && s.keepDays === undefined)) return;
    if (expiredSets(listSets(this.env.root()), s, new Date()).length === 0) return;
    await this.env.ctx.router
      .invoke('backups.applyRetention', {}, { actor: 'scheduler' })
      .catch((err: unknown) => this.env.log.warn(`retention: ${toErrorShape(err).message}`));
  }

  applyRetention(): { removed: string[] } {
    const s = this.get();
    if (!s.enabled || (s.keepLast === undefined && s.keepDays === undefined)) return { removed: [] };
    const root = this.env.root();
    const removed: string[] = [];
    for (const id of expiredSets(listSets(root), s, new Date())) {
      removeSet(root, id);
      removed.push(id);
      this.env.log.info(`retention removed backup set ${id}`);
    }
    if (removed.length) this.env.publishSets();
    return { removed };
  }
}
