export { CycleService, cycleWorkflowId } from './cycles';
export { HumanStepService, batchStep, refused as stepRefused } from './human-steps';
