// The one contract: every operation and event the renderer, the CLI and the tests may use.
import type { z } from 'zod';
import { appEvents, appOperations } from './app';
import { auditEvents, auditOperations } from './audit';
import { profileEvents, profileOperations } from './profiles';
import { backupEvents, backupOperations } from './backup';
import { inspectionEvents, inspectionOperations } from './inspection';
import { logOperations } from './logs';
import { namespaceOperations } from './namespaces';
import { serviceAlertEvents, serviceAlertOperations } from './service-alerts';
import { recoveryEvents, recoveryOperations } from './recovery';
import { sagaEvents, sagaOperations } from './saga';
import { settingsEvents, settingsOperations } from './settings';
import { stackEvents, stackOperations } from './stack';
import { workerEvents, workerOperations } from './worker';
import { workflowEvents, workflowOperations } from './workflows';
import { webUiOperations } from './web-ui';
import { humanStepOperations } from './human-steps';
import type { Operation } from './operation';

export const operations = {
  ...appOperations,
  ...settingsOperations,
  ...stackOperations,
  ...workerOperations,
  ...workflowOperations,
  ...humanStepOperations,
  ...inspectionOperations,
  ...recoveryOperations,
  ...backupOperations,
  ...profileOperations,
  ...auditOperations,
  ...webUiOperations,
  ...logOperations,
  ...serviceAlertOperations,
  ...namespaceOperations,
  ...sagaOperations,
};

export const events = {
  ...appEvents,
  ...settingsEvents,
  ...stackEvents,
  ...workerEvents,
  ...workflowEvents,
  ...inspectionEvents,
  ...recoveryEvents,
  ...backupEvents,
  ...profileEvents,
  ...auditEvents,
  ...serviceAlertEvents,
  ...sagaEvents,
};

export type Operations = typeof operations;
export type OperationName = keyof Operations;
export type EventName = keyof typeof events;

type OutputOf<T> = T extends Operation<z.ZodType, infer O> ? O : never;
/** What the caller passes: optional fields with defaults may be left out. */
export type OpInput<K extends OperationName> = z.input<Operations[K]['input']>;
/** What the handler receives: defaults filled in, validated. */
export type OpParsedInput<K extends OperationName> = z.output<Operations[K]['input']>;
export type OpOutput<K extends OperationName> = OutputOf<Operations[K]>;
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;

export * from './app';
export * from './settings';
export * from './stack';
export * from './worker';
export * from './workflows';
export * from './human-steps';
export * from './inspection';
export * from '../../../shared/phases';
export * from './recovery';
export * from './backup';
export * from './profiles';
export * from './audit';
export * from './web-ui';
export { operation, type Operation, type Effect } from './operation';
export * from './logs';
export * from './service-alerts';
export * from './namespaces';
export * from './saga';
export * from './ids';
