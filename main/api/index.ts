export * from './contract';
export * from './errors';
export { Router, EventBus, type Handlers, type Handler, type CallResult, type WriteGuard } from './router';
