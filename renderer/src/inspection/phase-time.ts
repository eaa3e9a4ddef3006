// A phase's time in two parts, as the graph, the drawer and the list show it: work (active) and waiting for a
// person. A running phase's parts grow with the clock: the wait in progress counts as waiting. Pure.
import type { PhaseStateView } from '../../../main/api/contract';

export interface PhaseTime {
  activeMs: number | null;
  waitingMs: number | null;
  /** The human step awaited right now, if any. */
  waitingFor: string | null;
}

export function phaseTime(view: PhaseStateView | undefined, now: number): PhaseTime {
  if (!view?.startedAt) return { activeMs: null, waitingMs: null, waitingFor: null };
  if (view.finishedAt && view.activeMs != null)
    return { activeMs: view.activeMs, waitingMs: view.waitingMs ?? 0, waitingFor: null };
  const end = view.finishedAt ? Date.parse(view.finishedAt) : now;
  const waitingNow = view.waitingSince ? Math.max(0, end - Date.parse(view.waitingSince)) : 0;
  const waitingMs = (view.waitingMs ?? 0) + waitingNow;
  const activeMs = Math.max(0, end - Date.parse(view.startedAt) - waitingMs);
  return { activeMs, waitingMs, waitingFor: view.waitingFor };
}

/** "scope approval" for "scope_approval". */
export function stepWords(step: string): string {
  return step === 'rfi_responses' ? 'RFI answers' : step.replace(/_/g, ' ');
}
