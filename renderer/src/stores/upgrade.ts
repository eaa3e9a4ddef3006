// A worker upgrade: the replay check of a bundle against the cycles' histories, then the roll-out (the worker
// restarts on it). The console refuses a failing bundle unless the operator typed the override.
import { create } from 'zustand';
import type { ReplayCheckReport } from '../../../main/api/contract';
import { asFailure, ops, type OpsFailure } from '../ops/client';

interface UpgradeStore {
  report: ReplayCheckReport | undefined;
  busy: 'check' | 'rollout' | undefined;
  error: OpsFailure | undefined;
  done: string | undefined;
  reset(): void;
  check(bundlePath: string, last: number): Promise<void>;
  rollOut(bundlePath: string, override: string): Promise<void>;
}

export const useUpgrade = create<UpgradeStore>((set) => ({
  report: undefined,
  busy: undefined,
  error: undefined,
  done: undefined,
  reset: () => set({ report: undefined, error: undefined, done: undefined }),
  async check(bundlePath, last) {
    set({ busy: 'check', error: undefined, report: undefined, done: undefined });
    try {
      const report = await ops.call('worker.replayCheck', {
        last,
        ...(bundlePath.trim() ? { bundlePath: bundlePath.trim() } : {}),
      });
      set({ report });
    } catch (err) {
      set({ error: asFailure(err) });
    } finally {
      set({ busy: undefined });
    }
  },
  async rollOut(bundlePath, override) {
    set({ busy: 'rollout', error: undefined });
    try {
      if (bundlePath.trim()) {
        const r = await ops.call('worker.rollOut', {
          bundlePath: bundlePath.trim(),
          ...(override ? { override } : {}),
        });
        set({ done: `The worker restarted on ${r.bundle}${r.overridden ? ' (override typed)' : ''}.` });
      } else {
        // The bundle it runs already passed: a plain restart.
        await ops.call('worker.stop', {});
        await ops.call('worker.start', {});
        set({ done: 'The worker restarted.' });
      }
    } catch (err) {
      set({ error: asFailure(err) });
    } finally {
      set({ busy: undefined });
    }
  },
}));
