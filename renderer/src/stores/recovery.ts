// The recovery store: archiving health, the recovery timeline, the plan for a chosen moment, progress and result.
import { create } from 'zustand';
import type {
  ArchiveHealth,
  RecoveryPlan,
  RecoveryResult,
  RecoveryTimeline,
} from '../../../main/api/contract';
import { ops, type OpsFailure } from '../ops/client';
import { storeAction } from './action';

export interface RecoveryStep {
  step: string;
  state: 'running' | 'done' | 'failed';
  detail?: string;
}

interface RecoveryStore {
  health: ArchiveHealth[];
  timeline: RecoveryTimeline | undefined;
  plan: RecoveryPlan | undefined;
  result: RecoveryResult | undefined;
  steps: RecoveryStep[];
  busy: 'load' | 'backup' | 'check' | 'recover' | 'enable' | undefined;
  /** Archiving was turned on in the settings; it starts when the stack restarts. */
  archivingRequested: boolean;
  error: OpsFailure | undefined;
  load(): Promise<void>;
  /** Archiving health alone (the Stack page's cards). */
  loadHealth(): Promise<void>;
  enableArchiving(): Promise<void>;
  baseBackup(): Promise<void>;
  check(to: string): Promise<void>;
  recover(to: string, inclusive: boolean): Promise<void>;
  clearError(): void;
}

export const useRecovery = create<RecoveryStore>((set, get) => {
  const run = storeAction<RecoveryStore['busy']>(set, undefined);
  const act = async (busy: RecoveryStore['busy'], work: () => Promise<void>) => void (await run(busy, work));
  return {
    health: [],
    timeline: undefined,
    plan: undefined,
    result: undefined,
    steps: [],
    busy: undefined,
    archivingRequested: false,
    error: undefined,
    load: () =>
      act('load', async () => {
        const [health, timeline] = await Promise.all([
          ops.call('recovery.status', {}),
          ops.call('recovery.timeline', {}),
        ]);
        set({ health, timeline });
      }),
    loadHealth: async () => {
      try {
        set({ health: await ops.call('recovery.status', {}) });
      } catch {
        // the stack is down or attached: the cards keep what they showed
      }
    },
    enableArchiving: () =>
      act('enable', async () => {
        await ops.call('settings.update', { stack: { archiving: { enabled: true } } });
        set({ archivingRequested: true });
      }),
    baseBackup: () =>
      act('backup', async () => {
        await ops.call('recovery.baseBackup', {});
        await get().load();
      }),
    check: (to) =>
      act('check', async () => {
        set({ plan: await ops.call('recovery.check', { to }), result: undefined });
      }),
    recover: (to, inclusive) =>
      act('recover', async () => {
        set({ steps: [], result: undefined });
        set({ result: await ops.call('recovery.recover', { to, inclusive, confirm: true }) });
        await get().load();
      }),
    clearError: () => set({ error: undefined }),
  };
});

ops.on('recovery.progress', (p) => {
  useRecovery.setState((s) => {
    const steps = s.steps.filter((x) => x.step !== p.step);
    return { steps: [...steps, p] };
  });
  // A base backup taken by the schedule shows up without a refresh.
  if (p.state === 'done' && p.step.startsWith('base backup') && useRecovery.getState().busy === undefined)
    void useRecovery.getState().load();
});
// The stack coming up or going down changes what the archive cards can say.
let lastStackState: string | undefined;
ops.on('stack.status', (status) => {
  if (status.state === lastStackState) return;
  lastStackState = status.state;
  if (status.state === 'running' || status.state === 'stopped') void useRecovery.getState().load();
});
