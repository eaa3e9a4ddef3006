export * from './contract';
export * from './errors';
export {
  Router,
  EventBus,
  type Handlers,
  type Handler,
  type CallResult,
  type Caller,
  type OperationContext,
  type WriteGuard,
} from './router';
export { validationIssues, type ValidationIssue, type AllowedValues } from './validation-issues';
