// Shapes shared by the workflow (deterministic), the activities and the console. No I/O, no Node imports.
import type { PhaseId } from './phases';

export const WORKFLOW_TYPE = 'TestCycleWorkflow';
/** The workflow's code version; each `patched()` id in the workflow raises it by one. */
export const WORKFLOW_PATCHES = [
  'summarize-final-report',
  'validated-human-steps',
  'truthful-compensation',
  'tracking-in-activities',
] as const;

export type RetryClass = 'llm' | 'database' | 'email';
export const MAX_ATTEMPTS = 3;

/**
 * The delay before the next attempt after `attempt` failed: LLM calls back off exponentially,
 * database operations linearly, email at a fixed delay. Three distinct shapes, so the retry log shows which.
 */
export function backoffMs(retryClass: RetryClass, attempt: number, baseMs: number): number {
  switch (retryClass) {
    case 'llm':
      return baseMs * 2 ** (attempt - 1);
    case 'database':
      return baseMs + (attempt - 1) * (baseMs / 2);
    case 'email':
      return baseMs;
  }
}

export interface CycleInput {
  cycleId: number;
  reportIds: number[];
  skipPhases: PhaseId[];
  /** Approve the human steps automatically (unattended runs). */
  autoApprove: boolean;
  /** Base of every retry delay, in ms (every class's policy scales from it). */
  retryBaseMs: number;
  /** Tracking writes on (the product) or off (the benchmark's Temporal floor). */
  tracking: boolean;
  /** Start-to-close timeout of each activity attempt, in seconds (TEMPORAL_ACTIVITY_TIMEOUT). */
  activityTimeoutS: number;
  /** A phase that fails for good waits for the operator (retry, skip, abandon) instead of ending the cycle. */
  waitForOperator?: boolean;
  /** How long it waits before abandoning, in seconds. */
  attentionTimeoutS?: number;
}

export interface PhaseContext {
  workflowId: string;
  runId: string;
  cycleId: number;
  reportIds: number[];
  phase: PhaseId;
  tracking: boolean;
  /**
   * The workflow's tracking events since its last write, carried to the activity that follows them: it writes
   * them (and their notices) when it starts, so no separate tracking step runs between phases.
   */
  track?: TrackBatch;
  /** This is the phase's last activity: it writes the phase completed in the same commit as its work. */
  completesPhase?: boolean;
}

export interface ScopeApproval {
  approved: boolean;
  by: string;
  note?: string;
}
export interface RfiResponse {
  reportId: number;
  response: string;
}
export interface TestResult {
  /** Omitted: applies to every execution still without a result. */
  executionId?: number;
  result: 'pass' | 'fail';
  note?: string;
}

/** The human steps a cycle can wait for (the tracked step names). */
export type HumanStepName = 'scope_approval' | 'rfi_responses' | 'test_results';
export interface RfiAnswersInput {
  by: string;
  answers: RfiResponse[];
}
export interface RecordResultsInput {
  by: string;
  results: Array<{ executionId: number; result: 'pass' | 'fail'; note?: string }>;
}
/** What an accepted human step changed. */
export interface HumanStepOutcome {
  step: HumanStepName;
  phase: PhaseId;
  changed: string;
  /** RFIs (report ids) or executions still open after this step. */
  remaining: number[];
  complete: boolean;
}
/** What the cycle waits for now, from the workflow itself (the `humanStep` query). */
export interface HumanStepView {
  waitingFor: HumanStepName | null;
  phase: PhaseId | null;
  since: string | null;
  running: PhaseId[];
  decided: boolean | null;
  rfis: number[];
  openRfis: number[];
  executions: number[];
  openExecutions: number[];
  message: string;
}

export type TrackEvent =
  | {
      kind: 'execution';
      /** `resumed`: back to running after the operator decided; `compensation_failed`: a final state. */
      status:
        | 'running'
        | 'completed'
        | 'failed'
        | 'cancelled'
        | 'needs_attention'
        | 'resumed'
        | 'compensation_failed';
      failure?: string;
    }
  | {
      kind: 'phase';
      phase: PhaseId;
      status: 'running' | 'completed' | 'failed' | 'skipped' | 'compensated' | 'needs_attention';
      failure?: string;
      /** For `needs_attention`: what the operator should fix. */
      hint?: string;
      /** When it happened in workflow time (a batch is written later than its events). */
      at: string;
    }
  | {
      kind: 'step';
      phase: PhaseId;
      step: string;
      status: 'waiting' | 'done' | 'failed';
      detail?: Record<string, unknown>;
      /** When it happened in workflow time (older cycles leave it out: the write's time stands in). */
      at?: string;
    }
  | { kind: 'transition'; from: PhaseId | 'start'; to: PhaseId | 'end' | 'compensation' };

export interface TrackBatch {
  workflowId: string;
  runId: string;
  cycleId: number;
  version: number;
  input?: CycleInput;
  events: TrackEvent[];
}

export interface CycleSummary {
  cycleId: number;
  status: 'completed';
  phases: Record<string, string>;
  finalReportId: number;
  attributes: number;
  samples: number;
  observations: number;
  version: number;
}

/** Phase states in which a cancel finds a phase part-way through its work: it is undone first. */
export const INTERRUPTED_STATES: readonly string[] = ['running', 'retrying', 'needs_attention', 'failed'];

/**
 * The order a cancel compensates a cycle's phases in: the interrupted phases first (in phase order), then every
 * completed phase in reverse order of completion. The workflow runs its compensation in this order and the
 * console's cancel preview shows it from the same function, so the two cannot drift apart.
 */
export function compensationOrder(
  phases: ReadonlyArray<{ phase: PhaseId; state: string }>,
  completedInOrder: readonly PhaseId[],
): PhaseId[] {
  const interrupted = phases.filter((p) => INTERRUPTED_STATES.includes(p.state)).map((p) => p.phase);
  return [...interrupted, ...[...completedInOrder].reverse()];
}

/**
 * The order the workflow itself compensates in, from the phase states it holds when it starts compensating. By
 * then a cancel has failed every phase it interrupted, so only 'failed' phases count as interrupted: a parallel
 * lane still 'running' because its sibling failed for good is not undone, exactly as recorded histories ran.
 * The cancel preview, made while those phases still run, uses `compensationOrder` with every interrupted state.
 */
export function workflowCompensationOrder(
  phases: ReadonlyArray<{ phase: PhaseId; state: string }>,
  completedInOrder: readonly PhaseId[],
): PhaseId[] {
  return compensationOrder(
    phases.filter((p) => p.state === 'failed'),
    completedInOrder,
  );
}
