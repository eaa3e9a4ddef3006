// The compensation chain (deterministic workflow code): each phase's step runs with its class's retries; a step
// that still fails is recorded `failed` and alerted, the steps that depend on it are held back, and the rest go on.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { PHASES, type CompensationStrategy, type PhaseId } from '../../shared/phases';
import { MAX_ATTEMPTS, type RetryClass } from '../../shared/workflow';

/** The patch behind the truthful saga: cycles started before it replay without it. */
export const SAGA_PATCH = 'truthful-compensation';

/**
 * A phase's compensation waits for these phases' compensations: their rows reference its rows (scoping decisions
 * and test results use attributes, test results use samples, observations use test results), so it can only
 * tell what to keep once they are settled.
 */
export const COMPENSATION_WAITS_FOR: Partial<Record<PhaseId, readonly PhaseId[]>> = {
  planning: ['scoping', 'test_execution'],
  scoping: ['test_execution'],
  sample_selection: ['test_execution'],
  test_execution: ['observation_management'],
};

/** Notices go out by email; every other strategy is database work. */
export function compensationRetryClass(strategy: CompensationStrategy): RetryClass {
  return strategy === 'notify' ? 'email' : 'database';
}

export function failureMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  return e?.message ?? String(err);
}

export interface ChainContext {
  workflowId: string;
  runId: string;
  cycleId: number;
  reason: string;
  retryBaseMs: number;
  activityTimeoutS: number;
  /** An operator's retry of failed entries (after the cycle ended). */
  operatorRetry?: boolean;
}

export interface ChainResult {
  done: PhaseId[];
  failed: Array<{ phase: PhaseId; error: string; heldBackBy?: PhaseId }>;
}

function compensationActivities(retryClass: RetryClass, ctx: ChainContext) {
  return proxyActivities<Activities>({
    startToCloseTimeout: `${ctx.activityTimeoutS} s`,
    retry: {
      maximumAttempts: MAX_ATTEMPTS,
      initialInterval: ctx.retryBaseMs,
      backoffCoefficient: retryClass === 'email' ? 1 : 1.5,
    },
  });
}

/**
 * Compensates `order` one phase at a time. Never throws for a failed step: it reports it, so the caller can end
 * the cycle as `compensation_failed`.
 */
export async function runCompensationChain(
  ctx: ChainContext,
  order: readonly PhaseId[],
  onDone: (phase: PhaseId) => void,
): Promise<ChainResult> {
  const { recordCompensationFailure } = compensationActivities('database', ctx);
  const result: ChainResult = { done: [], failed: [] };
  const unsettled = new Set<PhaseId>();
  for (const phase of order) {
    const def = PHASES.find((p) => p.id === phase)!;
    const retryClass = compensationRetryClass(def.compensation);
    const request = {
      workflowId: ctx.workflowId,
      runId: ctx.runId,
      cycleId: ctx.cycleId,
      phase,
      strategy: def.compensation,
      reason: ctx.reason,
      retryClass,
      retryBaseMs: ctx.retryBaseMs,
      operatorRetry: ctx.operatorRetry,
    };
    const blocker = (COMPENSATION_WAITS_FOR[phase] ?? []).find((p) => unsettled.has(p));
    if (blocker) {
      const error = `held back: the compensation of ${blocker} failed, and this one depends on it`;
      unsettled.add(phase);
      result.failed.push({ phase, error, heldBackBy: blocker });
      await recordCompensationFailure({ ...request, error, attempts: 0, heldBackBy: blocker });
      continue;
    }
    try {
      await compensationActivities(retryClass, ctx).compensatePhase(request);
      result.done.push(phase);
      onDone(phase);
    } catch (err) {
      const error = failureMessage(err);
      unsettled.add(phase);
      result.failed.push({ phase, error });
      await recordCompensationFailure({ ...request, error, attempts: MAX_ATTEMPTS });
    }
  }
  return result;
}

export interface CompensationRetryInput extends ChainContext {
  /** The failed entry to redo first, then the entries it held back, in chain order. */
  phases: PhaseId[];
}

/** An operator's retry of failed compensation entries of a cycle that has ended. */
export async function CompensationRetryWorkflow(input: CompensationRetryInput): Promise<ChainResult> {
  return runCompensationChain({ ...input, operatorRetry: true }, input.phases, () => undefined);
}
