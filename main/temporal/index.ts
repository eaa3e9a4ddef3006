export { CycleService, cycleWorkflowId } from './cycles';
export { NamespaceService, namespaceOf } from './namespaces';
export { noSuchWorkflow, workflowError } from './not-found';
export { HumanStepService, batchStep, refused as stepRefused } from './human-steps';
export { terminateCycle, type TerminateDeps } from './terminate';
export { runBatch, type BatchDeps } from './batch';
