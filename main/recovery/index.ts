export { RecoveryService } from './service';
