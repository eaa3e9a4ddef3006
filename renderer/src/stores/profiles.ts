import { create } from 'zustand';
import type {
  AuditEntry,
  Profile,
  ProfileMode,
  ProfileSecrets,
  ProfilesView,
  ValidationReport,
} from '../../../main/api/contract';
import { asFailure, ops, type OpsFailure } from '../ops/client';
import { storeAction } from './action';

interface ProfilesStore {
  view: ProfilesView | undefined;
  error: OpsFailure | undefined;
  busy: boolean;
  report: { name: string; report: ValidationReport } | undefined;
  load(): Promise<void>;
  use(name: string | null): Promise<boolean>;
  /** Saves a profile; a refusal comes back (and is not put in `error`) for the form to show on its fields. */
  save(profile: Profile, secrets: ProfileSecrets): Promise<OpsFailure | undefined>;
  remove(name: string): Promise<boolean>;
  test(name: string): Promise<void>;
  unlock(name: string, confirm: string, minutes: number): Promise<boolean>;
  lock(): Promise<void>;
  clearError(): void;
}

export const useProfiles = create<ProfilesStore>((set, get) => {
  const run = storeAction<boolean>(set, false);
  const act = async (work: () => Promise<void>): Promise<boolean> => (await run(true, work)) !== undefined;
  return {
    view: undefined,
    error: undefined,
    busy: false,
    report: undefined,
    async load() {
      try {
        set({ view: await ops.call('profiles.list', {}) });
      } catch (err) {
        set({ error: asFailure(err) });
      }
    },
    use: (name) => act(async () => set({ view: await ops.call('profiles.use', { name }) })),
    save: async (profile, secrets) => {
      set({ busy: true, error: undefined });
      try {
        set({ view: await ops.call('profiles.save', { profile, secrets }) });
        return undefined;
      } catch (err) {
        return asFailure(err);
      } finally {
        set({ busy: false });
      }
    },
    remove: (name) => act(async () => set({ view: await ops.call('profiles.remove', { name }) })),
    test: async (name) => {
      await act(async () =>
        set({ report: { name, report: await ops.call('profiles.test', { name, integration: false }) } }),
      );
    },
    unlock: (name, confirm, minutes) =>
      act(async () => {
        await ops.call('profiles.unlock', { name, confirm, minutes });
        await get().load();
      }),
    lock: async () => {
      await act(async () => {
        await ops.call('profiles.lock', {});
        await get().load();
      });
    },
    clearError: () => set({ error: undefined }),
  };
});

ops.on('profiles.changed', (view) => useProfiles.setState({ view }));

/** The mode in force, with the unlock's end re-checked against the clock. */
export function effectiveMode(mode: ProfileMode | undefined, now: number): ProfileMode | undefined {
  if (!mode?.unlockedUntil || Date.parse(mode.unlockedUntil) > now) return mode;
  return { ...mode, readOnly: mode.production, unlockedUntil: undefined };
}

interface AuditStore {
  entries: AuditEntry[];
  total: number;
  error: OpsFailure | undefined;
  load(filter: Record<string, string | undefined>): Promise<void>;
}

export const useAudit = create<AuditStore>((set) => ({
  entries: [],
  total: 0,
  error: undefined,
  async load(filter) {
    const clean = Object.fromEntries(Object.entries(filter).filter(([, v]) => v));
    try {
      const { entries, total } = await ops.call('audit.list', { ...clean, limit: 500 });
      set({ entries, total, error: undefined });
    } catch (err) {
      set({ error: asFailure(err) });
    }
  },
}));
