// One store action, the same in every store: a busy mark while it runs (the last error cleared), a failure kept as
// the store's error for ErrorAlert, and the caller told whether it worked.
import { asFailure, type OpsFailure } from '../ops/client';

interface ActionState<B> {
  busy: B;
  error: OpsFailure | undefined;
}

/**
 * The action runner of a store whose `busy` says what runs (`idle` when nothing does). A run with `busy` null sets
 * no mark and keeps the last error until it fails itself (a quick read beside the main action). `whenFailed` runs
 * once the failure is kept (e.g. the stack store re-reads the ports after PORT_IN_USE).
 */
export function storeAction<B>(
  set: (patch: Partial<ActionState<B>>) => void,
  idle: B,
  whenFailed?: (failure: OpsFailure) => Promise<void> | void,
) {
  return async <T>(busy: B | null, work: () => Promise<T>): Promise<{ value: T } | undefined> => {
    if (busy !== null) set({ busy, error: undefined });
    try {
      return { value: await work() };
    } catch (err) {
      const failure = asFailure(err);
      set({ error: failure });
      await whenFailed?.(failure);
      return undefined;
    } finally {
      if (busy !== null) set({ busy: idle });
    }
  };
}
