export { WorkerSupervisor, workerEntry } from './supervisor';
