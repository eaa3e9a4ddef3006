// The operator's decision for a cycle that needs attention: retry the phase, skip it, or abandon the cycle.
import { create } from 'zustand';
import { asFailure, ops, type OpsFailure } from '../ops/client';
import { useCycle } from './cycle';

export type Decision = 'retry' | 'skip' | 'abandon';

interface AttentionStore {
  busy: Decision | undefined;
  error: OpsFailure | undefined;
  decide(workflowId: string, decision: Decision, by: string, note: string): Promise<boolean>;
  clearError(): void;
}

export const useAttention = create<AttentionStore>((set) => ({
  busy: undefined,
  error: undefined,
  async decide(workflowId, decision, by, note) {
    set({ busy: decision, error: undefined });
    try {
      await ops.call('workflows.decide', { workflowId, decision, by, ...(note.trim() ? { note } : {}) });
      void useCycle.getState().refresh();
      return true;
    } catch (err) {
      set({ error: asFailure(err) });
      return false;
    } finally {
      set({ busy: undefined });
    }
  },
  clearError: () => set({ error: undefined }),
}));
