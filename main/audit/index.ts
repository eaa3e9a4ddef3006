export { AuditStore, redact, matches } from './store';
