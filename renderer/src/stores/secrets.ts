// The reset of a lost cluster password (Settings → Secrets): a typed confirmation, then the router's reset.
import { create } from 'zustand';
import { asFailure, ops, type OpsFailure } from '../ops/client';
import { useSettings } from './settings';

type Cluster = 'app-postgres' | 'temporal-postgres';

interface SecretsStore {
  resetting: Cluster | undefined;
  error: OpsFailure | undefined;
  resetPassword(cluster: Cluster, confirm: string): Promise<boolean>;
}

export const useSecrets = create<SecretsStore>((set) => ({
  resetting: undefined,
  error: undefined,
  async resetPassword(cluster, confirm) {
    set({ resetting: cluster, error: undefined });
    try {
      await ops.call('stack.resetPassword', { cluster, confirm });
      await useSettings.getState().load();
      set({ resetting: undefined });
      return true;
    } catch (err) {
      set({ resetting: undefined, error: asFailure(err) });
      return false;
    }
  },
}));
