export { CycleService, cycleWorkflowId } from './cycles';
export { HumanStepService, batchStep } from './human-steps';
