// When a human step is accepted, in one pure function: the workflow's update validators and the console's
// previews (batch actions, the step buttons) ask the same question and give the operator the same answer.
// Deterministic and free of I/O, so workflow code can import it.
import { phaseById, type PhaseId } from './phases';
import type { HumanStepName, RecordResultsInput, RfiAnswersInput, ScopeApproval } from './workflow';

/** The human steps' state, as the workflow holds it and as its `humanStep` query reports it. */
export interface HumanStepState {
  waitingFor: HumanStepName | null;
  /** Phases running now (for the message when nobody is awaited). */
  running: PhaseId[];
  /** The scope decision, once made. */
  decided: boolean | null;
  /** Report ids of the cycle's RFIs, and those still without an answer. */
  rfis: number[];
  openRfis: number[];
  /** The cycle's test executions waiting for a person, and those still without a result. */
  executions: number[];
  openExecutions: number[];
}

export type StepPayload =
  | { step: 'scope_approval'; payload: ScopeApproval }
  | { step: 'rfi_responses'; payload: RfiAnswersInput }
  | { step: 'test_results'; payload: RecordResultsInput };

export const STEP_PHASE: Record<HumanStepName, PhaseId> = {
  scope_approval: 'scoping',
  rfi_responses: 'request_for_information',
  test_results: 'test_execution',
};
/** What the step is called where an operator reads it. */
export const STEP_LABEL: Record<HumanStepName, string> = {
  scope_approval: 'scope approval',
  rfi_responses: 'RFI answers',
  test_results: 'test results',
};

export function listOf(ids: readonly number[]): string {
  if (ids.length <= 1) return ids.join('');
  return `${ids.slice(0, -1).join(', ')} and ${ids[ids.length - 1]}`;
}
const plural = (n: number, word: string) => `${word}${n === 1 ? '' : 's'}`;

/** What the cycle waits for, in the operator's words: the first half of every refusal. */
export function waitingMessage(s: HumanStepState): string {
  if (s.waitingFor === 'rfi_responses')
    return s.openRfis.length
      ? `this cycle is waiting for RFI answers from ${plural(s.openRfis.length, 'report')} ${listOf(s.openRfis)}`
      : 'this cycle is waiting for RFI answers';
  if (s.waitingFor === 'test_results')
    return s.openExecutions.length
      ? `this cycle is waiting for the results of ${plural(s.openExecutions.length, 'execution')} ${listOf(s.openExecutions)}`
      : 'this cycle is waiting for test results';
  if (s.waitingFor === 'scope_approval') return 'this cycle is waiting for its scope approval';
  const running = s.running.map((p) => phaseById(p).label);
  return running.length
    ? `this cycle is not waiting for a person (it is in ${running.join(' and ')})`
    : 'this cycle is not waiting for a person';
}

/** The refusal of a step sent out of order, after what the cycle waits for (`waitingMessage`). */
export function outOfOrderMessage(waiting: string, step: HumanStepName): string {
  const when = phaseById(STEP_PHASE[step]).label;
  const what = step === 'scope_approval' ? 'a scope approval is' : `${STEP_LABEL[step]} are`;
  return `${waiting}; ${what} accepted in ${when}`;
}

function outOfOrder(s: HumanStepState, step: HumanStepName): string {
  return outOfOrderMessage(waitingMessage(s), step);
}

const blank = (v: unknown) => typeof v !== 'string' || v.trim() === '';

/** Why the step is refused now, or undefined when it would be accepted. */
export function stepRefusal(s: HumanStepState, { step, payload }: StepPayload): string | undefined {
  if (s.waitingFor !== step) return outOfOrder(s, step);
  if (blank((payload as { by?: unknown } | undefined)?.by))
    return 'say who decides (the "by" field is empty)';
  switch (step) {
    case 'scope_approval':
      if (s.decided !== null) return `the scope is already ${s.decided ? 'approved' : 'rejected'}`;
      if (typeof payload.approved !== 'boolean') return 'say whether the scope is approved or rejected';
      return undefined;
    case 'rfi_responses': {
      const answers = Array.isArray(payload.answers) ? payload.answers : [];
      if (answers.length === 0) return 'give at least one answer';
      const seen = new Set<number>();
      for (const a of answers) {
        if (!s.rfis.includes(a.reportId))
          return `report ${a.reportId} has no RFI in this cycle; ${waitingMessage(s)}`;
        if (!s.openRfis.includes(a.reportId) || seen.has(a.reportId))
          return `the RFI of report ${a.reportId} is already answered; ${waitingMessage(s)}`;
        if (blank(a.response)) return `the answer for report ${a.reportId} is empty`;
        seen.add(a.reportId);
      }
      return undefined;
    }
    case 'test_results': {
      const results = Array.isArray(payload.results) ? payload.results : [];
      if (results.length === 0) return 'give at least one result';
      const seen = new Set<number>();
      for (const r of results) {
        if (!s.executions.includes(r.executionId))
          return `execution ${r.executionId} does not exist in this cycle; ${waitingMessage(s)}`;
        if (!s.openExecutions.includes(r.executionId) || seen.has(r.executionId))
          return `execution ${r.executionId} already has a result; ${waitingMessage(s)}`;
        if (r.result !== 'pass' && r.result !== 'fail')
          return `the result of execution ${r.executionId} must be pass or fail`;
        seen.add(r.executionId);
      }
      return undefined;
    }
  }
}

/** The Workflow Update that carries each step (cycles started before them take the signals of the same names). */
export const STEP_UPDATE: Record<HumanStepName, string> = {
  scope_approval: 'approveScope',
  rfi_responses: 'answerRfi',
  test_results: 'recordResults',
};
