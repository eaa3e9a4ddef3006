// The backups store: sets, the running job's progress, restore plans and results, leftovers, schedule.
import { create } from 'zustand';
import type {
  BackupJob,
  BackupKind,
  BackupSchedule,
  BackupSetSummary,
  ReconcileReport,
  RestorePlan,
  RestoreResult,
  Verification,
} from '../../../main/api/contract';
import { asFailure, ops, type OpsFailure } from '../ops/client';
import { storeAction } from './action';

interface Leftover {
  kind: BackupKind;
  database: string;
  sizeBytes: number;
}

interface BackupsStore {
  sets: BackupSetSummary[];
  job: BackupJob | undefined;
  leftovers: Leftover[];
  partials: Array<{ id: string; bytes: number }>;
  schedule: BackupSchedule | undefined;
  reconcile: ReconcileReport | undefined;
  error: OpsFailure | undefined;
  busy: boolean;
  load(): Promise<void>;
  create(input: {
    kinds: BackupKind[];
    quiesce: boolean;
    label?: string;
  }): Promise<BackupSetSummary | undefined>;
  verify(setId: string, trialRestore: boolean): Promise<Verification | undefined>;
  plan(setId: string, kinds: BackupKind[]): Promise<RestorePlan | undefined>;
  restore(setId: string, kinds: BackupKind[], confirm: string[]): Promise<RestoreResult | undefined>;
  cancel(): Promise<void>;
  remove(setId: string): Promise<void>;
  dropLeftover(database: string): Promise<void>;
  runReconcile(): Promise<void>;
  restartCycle(item: { cycleId: number; reportIds: number[]; skipPhases: string[] }): Promise<void>;
  /** Saves the schedule; a refusal comes back for the form to show on its fields. */
  saveSchedule(s: BackupSchedule): Promise<OpsFailure | undefined>;
  clearError(): void;
}

export const useBackups = create<BackupsStore>((set, get) => {
  /** Runs an action, keeping busy and error in the store; returns undefined when it failed. */
  const run = storeAction<boolean>(set, false);
  const act = async <T>(work: () => Promise<T>, busy = true): Promise<T | undefined> =>
    (await run(busy ? true : null, work))?.value;
  return {
    sets: [],
    job: undefined,
    leftovers: [],
    partials: [],
    schedule: undefined,
    reconcile: undefined,
    error: undefined,
    busy: false,
    async load() {
      await act(async () => {
        const [sets, leftovers, partials, schedule, jobs] = await Promise.all([
          ops.call('backups.list', {}),
          ops.call('backups.leftovers', {}),
          ops.call('backups.partials', {}),
          ops.call('backups.schedule.get', {}),
          ops.call('backups.jobs', {}),
        ]);
        set({
          sets,
          leftovers,
          partials,
          schedule,
          job: jobs.find((j) => j.state === 'running') ?? get().job,
        });
      }, false);
    },
    async create(input) {
      const result = await act(() => ops.call('backups.create', input));
      await get().load();
      return result;
    },
    async verify(setId, trialRestore) {
      const result = await act(() => ops.call('backups.verify', { setId, trialRestore }));
      await get().load();
      return result;
    },
    plan(setId, kinds) {
      return act(() => ops.call('backups.plan', { setId, kinds }), false);
    },
    async restore(setId, kinds, confirm) {
      const result = await act(() => ops.call('backups.restore', { setId, kinds, confirm }));
      if (result?.reconcile) set({ reconcile: result.reconcile });
      await get().load();
      return result;
    },
    async cancel() {
      const job = get().job;
      if (job) await act(() => ops.call('backups.cancel', { jobId: job.id }), false);
    },
    async remove(setId) {
      await act(() => ops.call('backups.remove', { setId }), false);
      await get().load();
    },
    async dropLeftover(database) {
      await act(() => ops.call('backups.dropLeftover', { database }));
      await get().load();
    },
    async runReconcile() {
      const reconcile = await act(() => ops.call('backups.reconcile', {}));
      if (reconcile) set({ reconcile });
    },
    async restartCycle(item) {
      await act(() =>
        ops.call('workflows.start', {
          cycleId: item.cycleId,
          reportIds: item.reportIds,
          skipPhases: item.skipPhases as never,
        }),
      );
      await get().runReconcile();
    },
    async saveSchedule(schedule) {
      try {
        set({ schedule: await ops.call('backups.schedule.set', schedule) });
        return undefined;
      } catch (err) {
        return asFailure(err);
      }
    },
    clearError() {
      set({ error: undefined });
    },
  };
});

ops.on('backup.job', (job) => useBackups.setState({ job }));
ops.on('backup.sets', (sets) => useBackups.setState({ sets }));
ops.on('backup.reconcile', (reconcile) => useBackups.setState({ reconcile }));
