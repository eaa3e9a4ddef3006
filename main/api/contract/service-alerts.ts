// Service health raised like workflow alerts: a service that exits, is restarted, fails its probe or logs a burst
// of errors, with the lines that caused it and what to do.
import { z } from 'zod';
import { operation } from './operation';

export const ServiceAlertKindSchema = z.enum([
  'exited',
  'restarted',
  'probe-failed',
  'auth-failures',
  'out-of-memory',
  'disk-full',
  'panic',
]);
export type ServiceAlertKind = z.infer<typeof ServiceAlertKindSchema>;

export const ServiceAlertSchema = z.object({
  id: z.string(),
  /** A stack service's id, or `worker`. */
  service: z.string(),
  kind: ServiceAlertKindSchema,
  severity: z.enum(['warning', 'critical']),
  title: z.string(),
  message: z.string(),
  fix: z.string(),
  /** The log lines that caused it, newest last. */
  lines: z.array(z.string()),
  /** How many times it happened while the alert was open. */
  count: z.number().int(),
  firstAt: z.string(),
  lastAt: z.string(),
  acknowledged: z.boolean(),
});
export type ServiceAlert = z.infer<typeof ServiceAlertSchema>;

export const serviceAlertOperations = {
  'stack.alerts': operation(
    z.object({ includeAcknowledged: z.boolean().default(false) }).strict(),
    'reads',
  ).returns<ServiceAlert[]>(),
  'stack.acknowledgeAlerts': operation(
    z.object({ ids: z.array(z.string().max(100)).min(1).max(500) }).strict(),
    'writes',
  ).returns<{ acknowledged: number }>(),
};

export const serviceAlertEvents = {
  'service.alert': ServiceAlertSchema,
};
