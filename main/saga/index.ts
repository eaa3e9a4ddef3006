// The saga's operator side: failed compensations (retry, resolve), cycles that need attention, replay checks.
export { SagaService, type SagaOptions } from './service';
