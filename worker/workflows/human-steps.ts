// The cycle's human steps (approve scope, answer RFIs, record results) as validated Workflow Updates: a step is
// accepted only while the cycle waits for it, for RFIs and executions that exist and are still open, from a
// complete payload. A refused update is rejected by its validator, so nothing reaches the history.
// Cycles started before this code (no `validated-human-steps` marker) keep their signal handlers unchanged.
import { condition, defineQuery, defineSignal, defineUpdate, log, setHandler } from '@temporalio/workflow';
import type { PhaseId } from '../../shared/phases';
import {
  STEP_PHASE,
  STEP_UPDATE,
  listOf,
  stepRefusal,
  waitingMessage,
  type HumanStepState,
  type StepPayload,
} from '../../shared/human-step-rules';
import type {
  HumanStepName,
  HumanStepOutcome,
  HumanStepView,
  RecordResultsInput,
  RfiAnswersInput,
  RfiResponse,
  ScopeApproval,
  TestResult,
  TrackEvent,
} from '../../shared/workflow';

export const HUMAN_STEPS_PATCH = 'validated-human-steps';

// Signals of cycles started before the updates (and raw use: `cycle signal`).
export const approveScopeSignal = defineSignal<[ScopeApproval]>('approveScope');
export const rfiResponseSignal = defineSignal<[RfiResponse]>('rfiResponse');
export const testResultSignal = defineSignal<[TestResult]>('testResult');
/** Fire-and-forget on purpose: it only names who cancels and why, just before the cancel request itself. */
export const cancelReasonSignal = defineSignal<[{ reason: string; by: string }]>('cancelReason');

export const approveScopeUpdate = defineUpdate<HumanStepOutcome, [ScopeApproval]>(STEP_UPDATE.scope_approval);
export const answerRfiUpdate = defineUpdate<HumanStepOutcome, [RfiAnswersInput]>(STEP_UPDATE.rfi_responses);
export const recordResultsUpdate = defineUpdate<HumanStepOutcome, [RecordResultsInput]>(
  STEP_UPDATE.test_results,
);
export const humanStepQuery = defineQuery<HumanStepView>('humanStep');

class StepRefused extends Error {
  override name = 'StepRefused';
}

export interface HumanStepHooks {
  /** Whether this run records the patch (new cycles) or replays an older history (signals as before). */
  validated: boolean;
  mark: (event: TrackEvent) => void;
  flush: () => Promise<void>;
  runningPhases: () => PhaseId[];
}

/** The human steps' state and handlers for one run of the workflow. */
export function humanSteps(hooks: HumanStepHooks) {
  let approval: ScopeApproval | undefined;
  const rfiResponses = new Map<number, RfiResponse>();
  const testResults: TestResult[] = [];
  const waitingFor = new Set<string>();
  let waiting: { step: HumanStepName; since: string } | undefined;
  let rfis: number[] = [];
  let executions: number[] = [];
  let cancelledBy: { reason: string; by: string } | undefined;

  const state = (): HumanStepState => ({
    waitingFor: waiting?.step ?? null,
    running: hooks.runningPhases(),
    decided: approval ? approval.approved : null,
    rfis,
    openRfis: rfis.filter((id) => !rfiResponses.has(id)),
    executions,
    openExecutions: executions.filter((id) => !testResults.some((r) => r.executionId === id)),
  });
  const check = (request: StepPayload) => {
    const refusal = stepRefusal(state(), request);
    if (refusal) throw new StepRefused(refusal);
  };
  const validateApproval = (payload: ScopeApproval) => check({ step: 'scope_approval', payload });
  const validateRfis = (payload: RfiAnswersInput) => check({ step: 'rfi_responses', payload });
  const validateResults = (payload: RecordResultsInput) => check({ step: 'test_results', payload });

  const outcome = (step: HumanStepName, changed: string, remaining: number[]): HumanStepOutcome => ({
    step,
    phase: STEP_PHASE[step],
    changed,
    remaining,
    complete: remaining.length === 0,
  });

  const applyApproval = (a: ScopeApproval) => {
    approval = { approved: a.approved, by: a.by.trim(), ...(a.note?.trim() ? { note: a.note.trim() } : {}) };
    return outcome('scope_approval', `scope ${a.approved ? 'approved' : 'rejected'} by ${approval.by}`, []);
  };
  const applyRfis = (input: RfiAnswersInput) => {
    for (const a of input.answers)
      rfiResponses.set(a.reportId, { reportId: a.reportId, response: a.response.trim() });
    const ids = input.answers.map((a) => a.reportId);
    return outcome(
      'rfi_responses',
      `RFI answer${ids.length > 1 ? 's' : ''} recorded for report${ids.length > 1 ? 's' : ''} ${listOf(ids)}`,
      state().openRfis,
    );
  };
  const applyResults = (input: RecordResultsInput) => {
    for (const r of input.results)
      testResults.push({
        executionId: r.executionId,
        result: r.result,
        ...(r.note?.trim() ? { note: r.note.trim() } : {}),
      });
    const pass = input.results.filter((r) => r.result === 'pass').length;
    return outcome(
      'test_results',
      `${input.results.length} result${input.results.length > 1 ? 's' : ''} recorded (${pass} pass, ${input.results.length - pass} fail)`,
      state().openExecutions,
    );
  };

  setHandler(cancelReasonSignal, (c) => void (cancelledBy ??= c));
  if (hooks.validated) {
    setHandler(approveScopeUpdate, applyApproval, { validator: validateApproval });
    setHandler(answerRfiUpdate, applyRfis, { validator: validateRfis });
    setHandler(recordResultsUpdate, applyResults, { validator: validateResults });
    setHandler(humanStepQuery, () => {
      const now = state();
      return {
        ...now,
        phase: waiting ? STEP_PHASE[waiting.step] : null,
        since: waiting?.since ?? null,
        message: waitingMessage(now),
      };
    });
    // Raw signals (`cycle signal`) pass the same checks; one that fails is dropped and logged, never kept for later.
    const guarded =
      <S, T>(validate: (p: T) => void, apply: (p: T) => unknown, wrap: (p: S) => T) =>
      (payload: S) => {
        try {
          const p = wrap(payload);
          validate(p);
          apply(p);
        } catch (err) {
          log.warn(`signal refused: ${(err as Error).message}`);
        }
      };
    setHandler(
      approveScopeSignal,
      guarded(validateApproval, applyApproval, (p: ScopeApproval) => p),
    );
    setHandler(
      rfiResponseSignal,
      guarded(validateRfis, applyRfis, (p: RfiResponse) => ({ by: 'signal', answers: [p] })),
    );
    setHandler(
      testResultSignal,
      // Without an execution id a raw result applies to every execution still open (as it always did).
      guarded(validateResults, applyResults, (p: TestResult) => ({
        by: 'signal',
        results: (p.executionId === undefined ? state().openExecutions : [p.executionId]).map(
          (executionId) => ({ executionId, result: p.result, note: p.note }),
        ),
      })),
    );
  } else {
    // Exactly the handlers those cycles were started with.
    setHandler(approveScopeSignal, (a) => void (approval ??= a));
    setHandler(rfiResponseSignal, (r) => void rfiResponses.set(r.reportId, r));
    setHandler(testResultSignal, (r) => void testResults.push(r));
  }

  return {
    waitingFor,
    get approval() {
      return approval;
    },
    autoApprove(a: ScopeApproval) {
      approval ??= a;
    },
    rfiResponses,
    testResults,
    openRfis(ids: number[]) {
      rfis = ids;
    },
    openExecutions(ids: number[]) {
      executions = ids;
    },
    /** The operator's words for a cancel, when the console sent them before cancelling. */
    cancelReason(): string {
      return cancelledBy
        ? `the cycle was cancelled by ${cancelledBy.by}: ${cancelledBy.reason}`
        : 'the cycle was cancelled';
    },
    /** Waits for a person; the tracked step row carries the time the wait started and ended (workflow time). */
    async wait(phase: PhaseId, step: HumanStepName, ready: () => boolean) {
      if (ready()) return;
      waitingFor.add(step);
      waiting = { step, since: new Date().toISOString() };
      hooks.mark({ kind: 'step', phase, step, status: 'waiting', at: waiting.since });
      await hooks.flush();
      await condition(ready);
      waitingFor.delete(step);
      waiting = undefined;
      hooks.mark({
        kind: 'step',
        phase,
        step,
        status: 'done',
        at: new Date().toISOString(),
      });
    },
  };
}
