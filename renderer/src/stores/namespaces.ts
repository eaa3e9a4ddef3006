// Temporal namespaces of the stack in force: list, create, change retention.
import { create } from 'zustand';
import type { Namespace } from '../../../main/api/contract';
import { asFailure, ops, type OpsFailure } from '../ops/client';

interface NamespaceStore {
  namespaces: Namespace[];
  loading: boolean;
  error: OpsFailure | undefined;
  load(): Promise<void>;
  create(input: { name: string; retentionHours: number; description: string }): Promise<boolean>;
  setRetention(name: string, retentionHours: number): Promise<boolean>;
  clearError(): void;
}

export const useNamespaces = create<NamespaceStore>((set, get) => {
  const act = async (work: () => Promise<unknown>) => {
    set({ error: undefined });
    try {
      await work();
      await get().load();
      return true;
    } catch (err) {
      set({ error: asFailure(err) });
      return false;
    }
  };
  return {
    namespaces: [],
    loading: false,
    error: undefined,
    async load() {
      set({ loading: true });
      try {
        set({ namespaces: await ops.call('namespaces.list', {}), error: undefined });
      } catch (err) {
        set({ error: asFailure(err) });
      } finally {
        set({ loading: false });
      }
    },
    create: (input) => act(() => ops.call('namespaces.create', input)),
    setRetention: (name, retentionHours) =>
      act(() => ops.call('namespaces.update', { name, retentionHours })),
    clearError: () => set({ error: undefined }),
  };
});
