import { create } from 'zustand';
import type { SettingsPatch, SettingsView } from '../../../main/api/contract';
import { asFailure, ops, type OpsFailure } from '../ops/client';

interface SettingsStore {
  view: SettingsView | undefined;
  error: OpsFailure | undefined;
  /** Field errors from the last rejected save, by dotted path. */
  fieldErrors: Record<string, string>;
  saving: boolean;
  load(): Promise<void>;
  save(patch: SettingsPatch): Promise<boolean>;
  /** Stores (or, empty, removes) the LLM API key in the secret store; it never enters settings.json. */
  setLlmApiKey(apiKey: string): Promise<boolean>;
}

export const useSettings = create<SettingsStore>((set) => ({
  view: undefined,
  error: undefined,
  fieldErrors: {},
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
      set({ view, fieldErrors: {}, error: undefined, saving: false });
      return true;
    } catch (err) {
      const failure = asFailure(err);
      const issues =
        (failure.details as { issues?: Array<{ path: string[]; message: string }> } | undefined)?.issues ??
        [];
      const fieldErrors = Object.fromEntries(issues.map((i) => [i.path.join('.'), i.message]));
      set({ fieldErrors, error: issues.length ? undefined : failure, saving: false });
      return false;
    }
  },
}));

ops.on('settings.changed', (view) => useSettings.setState({ view }));
