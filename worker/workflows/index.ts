// The workflow bundle's entry: orchestration only (deterministic code), bundled at build time.
export {
  TestCycleWorkflow,
  approveScopeSignal,
  progressQuery,
  rfiResponseSignal,
  testResultSignal,
  type CycleView,
  type PhaseView,
} from './test-cycle';
export { CompensationRetryWorkflow, type CompensationRetryInput, type ChainResult } from './saga';
export { operatorDecisionUpdate, type OperatorDecision, type OperatorChoice } from './attention';
