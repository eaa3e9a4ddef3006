// The workflow bundle's entry: orchestration only (deterministic code), bundled at build time.
export { TestCycleWorkflow, progressQuery, type CycleView, type PhaseView } from './test-cycle';
export {
  HUMAN_STEPS_PATCH,
  answerRfiUpdate,
  approveScopeSignal,
  approveScopeUpdate,
  cancelReasonSignal,
  humanStepQuery,
  recordResultsUpdate,
  rfiResponseSignal,
  testResultSignal,
} from './human-steps';
export { CompensationRetryWorkflow, SAGA_PATCH, type CompensationRetryInput, type ChainResult } from './saga';
export { operatorDecisionUpdate, type OperatorDecision, type OperatorChoice } from './attention';
