import { create } from 'zustand';
import type { SettingsPatch, SettingsView } from '../../../main/api/contract';
import { asFailure, ops, type OpsFailure } from '../ops/client';

interface SettingsStore {
  view: SettingsView | undefined;
  error: OpsFailure | undefined;
  saving: boolean;
  load(): Promise<void>;
  /** Saves; a refused input comes back for the form to put on its fields (other failures go to `error`). */
  save(patch: SettingsPatch): Promise<OpsFailure | undefined>;
  /** Stores (or, empty, removes) the LLM API key in the secret store; it never enters settings.json. */
  setLlmApiKey(apiKey: string): Promise<boolean>;
}

export const useSettings = create<SettingsStore>((set) => ({
  view: undefined,
  error: undefined,
  saving: false,
  async load() {
    try {
      set({ view: await ops.call('settings.get', {}), error: undefined });
    } catch (err) {
      set({ error: asFailure(err) });
    }
  },
  async setLlmApiKey(apiKey) {
    try {
      await ops.call('worker.setLlmApiKey', { apiKey });
      set({ error: undefined });
      return true;
    } catch (err) {
      set({ error: asFailure(err) });
      return false;
    }
  },
  async save(patch) {
    set({ saving: true });
    try {
      const view = await ops.call('settings.update', patch);
      set({ view, error: undefined, saving: false });
      return undefined;
    } catch (err) {
      const failure = asFailure(err);
      set({ error: failure.code === 'INVALID_INPUT' ? undefined : failure, saving: false });
      return failure;
    }
  },
}));

ops.on('settings.changed', (view) => useSettings.setState({ view }));
