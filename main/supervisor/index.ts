export { WorkerSupervisor, tell, workerEntry } from './supervisor';
export { ReplayCheckService, rolledOutBundle } from './roll-out';
export { replayCheck, currentBundlePath } from './replay-check';
