export { RecoveryService } from './service';
export { rollBackInterrupted, recoveriesInProgress } from './journal';
