// Tracking rows → what each phase node shows (state, attempts, next retry, ETA) and what the join waits for. Pure.
import type { PhaseStateView, CycleStatus } from '../api';
import { PHASES, type PhaseId } from '../../shared/phases';

export interface PhaseRowInput {
  phase: string;
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  failure: string | null;
  /** Work and waiting for a person, once the phase finished (older rows: null). */
  activeMs?: number | null;
  /** Waiting for a person: the finished phase's total, or a running phase's finished waits so far. */
  waitingMs?: number | null;
  /** The human step a running phase waits at now, and since when. */
  waitingStep?: string | null;
  waitingSince?: string | null;
}

export interface ActivityRowInput {
  activityId: string;
  phase: string;
  status: string;
  attempts: number;
  firstStartedAt: string;
}

export interface RetryRowInput {
  activityId: string;
  attempt: number;
  maxAttempts: number;
  error: string;
  backoffMs: number | null;
  exhausted: boolean;
  failedAt: string;
}

/** Past durations of a phase (ms), for a running phase's ETA. */
export type PhaseDurationStats = Partial<Record<string, { p50: number; p90: number }>>;

export interface PhaseStatesInput {
  executionStatus: CycleStatus;
  phases: PhaseRowInput[];
  activities: ActivityRowInput[];
  retryLog: RetryRowInput[];
  stats: PhaseDurationStats;
  maxAttempts: number;
  skipPhases: readonly string[];
}

const KNOWN_STATES = new Set<PhaseStateView['state']>([
  'pending',
  'running',
  'retrying',
  'completed',
  'failed',
  'skipped',
  'compensated',
  'needs_attention',
  'compensation_failed',
]);

const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

export function derivePhaseStates(input: PhaseStatesInput): PhaseStateView[] {
  return PHASES.map((def) => {
    const row = input.phases.find((p) => p.phase === def.id);
    const activities = input.activities.filter((a) => a.phase === def.id);
    const activityIds = new Set(activities.map((a) => a.activityId));
    const retries = input.retryLog
      .filter((r) => activityIds.has(r.activityId))
      .sort((a, b) => Date.parse(a.failedAt) - Date.parse(b.failedAt));
    const lastRetry = retries.at(-1);
    // The activity the phase is on now: the one started last.
    const current = [...activities]
      .sort((a, b) => Date.parse(a.firstStartedAt) - Date.parse(b.firstStartedAt))
      .at(-1);

    let state: PhaseStateView['state'] = 'pending';
    if (row && KNOWN_STATES.has(row.status as PhaseStateView['state'])) {
      state = row.status as PhaseStateView['state'];
    } else if (input.skipPhases.includes(def.id)) {
      state = 'skipped';
    }
    const retryingNow = state === 'running' && current?.status === 'retrying';
    if (retryingNow) state = 'retrying';
    // A terminated cycle writes no phase rows: what was running stopped there.
    const stopped =
      (state === 'running' || state === 'retrying') &&
      (input.executionStatus === 'terminated' || input.executionStatus === 'timed_out');
    if (stopped) state = 'failed';

    const attempts = current?.attempts ?? (row?.startedAt ? 1 : 0);
    const nextRetryAt =
      retryingNow && lastRetry && lastRetry.backoffMs != null && !lastRetry.exhausted
        ? plus(lastRetry.failedAt, lastRetry.backoffMs)
        : null;
    const stats = input.stats[def.id];
    // No ETA while a person is awaited: it depends on them, not on past durations.
    const eta =
      (state === 'running' || state === 'retrying') && row?.startedAt && stats && !row.waitingStep
        ? { p50At: plus(row.startedAt, stats.p50), p90At: plus(row.startedAt, stats.p90) }
        : null;
    return {
      phase: def.id,
      state,
      startedAt: row?.startedAt ?? null,
      finishedAt: row?.finishedAt ?? null,
      durationMs: row?.durationMs ?? null,
      // A finished phase without the split (older rows) counts as all work.
      activeMs: row?.activeMs ?? (row?.durationMs != null ? row.durationMs : null),
      waitingMs: row?.waitingMs ?? (row?.durationMs != null ? 0 : null),
      waitingFor: state === 'running' ? (row?.waitingStep ?? null) : null,
      waitingSince: state === 'running' ? (row?.waitingSince ?? null) : null,
      attempts,
      maxAttempts: lastRetry?.maxAttempts ?? input.maxAttempts,
      nextRetryAt,
      lastFailure:
        row?.failure ??
        (stopped ? `stopped: the cycle was ${input.executionStatus}` : null) ??
        lastRetry?.error ??
        null,
      eta,
    };
  });
}

/** The branches a join still waits for: its inputs that are not done while at least one of them is. */
export function joinWaitingFor(
  states: readonly PhaseStateView[],
  join: PhaseId = 'request_for_information',
): string[] {
  const def = PHASES.find((p) => p.id === join);
  if (!def || def.after.length < 2) return [];
  const self = states.find((s) => s.phase === join);
  if (self && self.state !== 'pending') return [];
  const byId = new Map(states.map((s) => [s.phase, s.state]));
  const done = (id: string) => ['completed', 'skipped'].includes(byId.get(id as PhaseId) ?? 'pending');
  const started = def.after.some((id) => byId.get(id) !== 'pending');
  if (!started) return [];
  return def.after.filter((id) => !done(id));
}

/** p-th percentile (0..1) of a sorted list, nearest-rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank]!;
}
