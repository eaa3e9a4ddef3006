// The compensation ledger across cycles: filters, paging by "load more", live from the compensation NOTIFYs.
import { create } from 'zustand';
import type { CompensationEntry } from '../../../main/api/contract';
import { asFailure, ops, type OpsFailure } from '../ops/client';
import { isResync } from './live';

const PAGE = 200;

export interface LedgerFilter {
  workflowId?: string;
  phase?: CompensationEntry['phase'];
  strategy?: string;
  outcome?: string;
  text: string;
}

interface CompensationStore {
  filter: LedgerFilter;
  rows: CompensationEntry[];
  total: number | undefined;
  loading: boolean;
  error: OpsFailure | undefined;
  /** The entry being retried or resolved (`workflowId:phase`). */
  busy: string | undefined;
  setFilter(patch: Partial<LedgerFilter>): void;
  load(more?: boolean): Promise<void>;
  retry(entry: CompensationEntry): Promise<void>;
  resolve(entry: CompensationEntry, note: string): Promise<void>;
}

export const useCompensation = create<CompensationStore>((set, get) => ({
  filter: { text: '' },
  rows: [],
  total: undefined,
  loading: false,
  error: undefined,
  busy: undefined,
  async retry(entry) {
    set({ busy: `${entry.workflowId}:${entry.phase}` });
    try {
      const r = await ops.call('compensation.retry', {
        workflowId: entry.workflowId,
        runId: entry.runId,
        phase: entry.phase as never,
      });
      const failed = r.failed[0];
      set({
        error: failed
          ? {
              code: 'CONFLICT',
              message: `The compensation of ${failed.phase} failed again: ${failed.error}`,
              hint: 'Fix the cause, then retry it, or mark it resolved with a note.',
            }
          : undefined,
      });
    } catch (err) {
      set({ error: asFailure(err) });
    } finally {
      set({ busy: undefined });
      void get().load();
    }
  },
  async resolve(entry, note) {
    set({ busy: `${entry.workflowId}:${entry.phase}` });
    try {
      await ops.call('compensation.resolve', {
        workflowId: entry.workflowId,
        runId: entry.runId,
        phase: entry.phase as never,
        note,
      });
      set({ error: undefined });
    } catch (err) {
      set({ error: asFailure(err) });
    } finally {
      set({ busy: undefined });
      void get().load();
    }
  },
  setFilter(patch) {
    set((s) => ({ filter: { ...s.filter, ...patch } }));
    void get().load();
  },
  async load(more = false) {
    set({ loading: true });
    try {
      const { filter } = get();
      const res = await ops.call('inspection.compensations', {
        ...filter,
        phase: filter.phase as never,
        offset: more ? get().rows.length : 0,
        limit: PAGE,
      });
      set((s) => ({ rows: more ? [...s.rows, ...res.rows] : res.rows, total: res.total, error: undefined }));
    } catch (err) {
      set({ error: asFailure(err) });
    } finally {
      set({ loading: false });
    }
  },
}));

ops.on('workflow.progress', (e) => {
  if (
    (e.table === 'workflow_compensation_log' || isResync(e)) &&
    useCompensation.getState().total !== undefined
  )
    void useCompensation.getState().load();
});
ops.onState((state) => {
  if (state === 'connected' && useCompensation.getState().total !== undefined)
    void useCompensation.getState().load();
});
