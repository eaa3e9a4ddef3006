export { CycleService, cycleWorkflowId } from './cycles';
