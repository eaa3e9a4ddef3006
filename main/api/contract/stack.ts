import { z } from 'zod';
import { operation } from './operation';
import { OpsErrorShapeSchema } from '../errors';

export const ServiceIdSchema = z.enum(['app-postgres', 'temporal-postgres', 'temporal', 'temporal-ui']);
export type ServiceId = z.infer<typeof ServiceIdSchema>;

/** `off`: an optional service the settings leave disabled (the Web UI): neither healthy nor degraded. */
export const HealthSchema = z.enum(['unknown', 'healthy', 'degraded', 'failed', 'off']);
export type Health = z.infer<typeof HealthSchema>;

export const ServiceStatusSchema = z.object({
  id: ServiceIdSchema,
  label: z.string(),
  state: z.enum(['stopped', 'starting', 'running', 'stopping', 'failed', 'disabled', 'external']),
  health: HealthSchema,
  port: z.number().int().optional(),
  version: z.string().optional(),
  startedAt: z.string().optional(),
  pid: z.number().int().optional(),
  message: z.string().optional(),
  /** The crash watcher's restarts of this service in its current window, and the policy it follows. */
  restarts: z.number().int().optional(),
  restartPolicy: z.string().optional(),
});
export type ServiceStatus = z.infer<typeof ServiceStatusSchema>;

export const StartStepSchema = z.object({
  id: z.string(),
  label: z.string(),
  state: z.enum(['pending', 'running', 'done', 'failed', 'skipped']),
  detail: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
});
export type StartStep = z.infer<typeof StartStepSchema>;

export const StackStateSchema = z.enum(['stopped', 'starting', 'running', 'stopping', 'degraded', 'failed']);
export type StackState = z.infer<typeof StackStateSchema>;

export const StackStatusSchema = z.object({
  provider: z.enum(['local', 'docker', 'attached']),
  state: StackStateSchema,
  services: z.array(ServiceStatusSchema),
  steps: z.array(StartStepSchema),
  error: OpsErrorShapeSchema.optional(),
  updatedAt: z.string(),
});
export type StackStatus = z.infer<typeof StackStatusSchema>;

export const CheckStatusSchema = z.enum(['healthy', 'degraded', 'failed']);
/**
 * A check's result. Neither of the last two counts in the verdict: `off` is a check of an optional service
 * that is disabled; `skipped` was not run here, and `detail` says why (a read-only profile skips the
 * writing probe).
 */
export const CheckResultSchema = z.enum(['healthy', 'degraded', 'failed', 'off', 'skipped']);
export const ValidationCheckSchema = z.object({
  id: z.string(),
  group: z.enum(['app-postgres', 'temporal-postgres', 'temporal', 'temporal-ui', 'integration']),
  label: z.string(),
  status: CheckResultSchema,
  detail: z.string(),
  fix: z.string().optional(),
  durationMs: z.number(),
});
export type ValidationCheck = z.infer<typeof ValidationCheckSchema>;

export const ValidationReportSchema = z.object({
  overall: CheckStatusSchema,
  /** The verdict in words, with what did not count: "healthy (Web UI off)". */
  summary: z.string().optional(),
  checkedAt: z.string(),
  checks: z.array(ValidationCheckSchema),
});
export type ValidationReport = z.infer<typeof ValidationReportSchema>;

export const PortCheckSchema = z.object({
  service: ServiceIdSchema,
  port: z.number().int(),
  free: z.boolean(),
  owner: z.string().optional(),
  suggestion: z.number().int().optional(),
});
export type PortCheck = z.infer<typeof PortCheckSchema>;

const empty = z.object({}).strict();

/** The validation's integration probe: starts a trivial workflow, reads it back, terminates it. */
export const INTEGRATION_PROBE = {
  writes: 'temporal',
  when: (input: { integration: boolean }) => input.integration,
  what: 'starts and terminates a workflow on Temporal',
} as const;

export const stackOperations = {
  'stack.status': operation(empty, 'reads').returns<StackStatus>(),
  'stack.start': operation(empty, 'writes').returns<StackStatus>(),
  'stack.stop': operation(empty, 'writes').returns<StackStatus>(),
  'stack.restart': operation(empty, 'writes').returns<StackStatus>(),
  'stack.restartService': operation(
    z.object({ service: ServiceIdSchema }).strict(),
    'writes',
  ).returns<StackStatus>(),
  /** Reads, but its integration probe writes to Temporal: a read-only profile skips the probe and says so. */
  'stack.validate': operation(z.object({ integration: z.boolean().default(true) }).strict(), 'reads', {
    probe: INTEGRATION_PROBE,
  }).returns<ValidationReport>(),
  'stack.checkPorts': operation(empty, 'reads').returns<PortCheck[]>(),
  /** Stops and removes the stack; its data only with deleteData and the typed confirmation. */
  'stack.remove': operation(
    z
      .object({ deleteData: z.boolean().default(false), confirm: z.string().max(100).optional() })
      .strict()
      .refine((v) => !v.deleteData || v.confirm === REMOVE_DATA_CONFIRMATION, {
        message: 'Deleting the stack data needs the confirmation "delete data" typed out',
        path: ['confirm'],
      }),
    'writes',
  ).returns<{ removed: string[]; dataKept: boolean; movedTo?: string }>(),
  'stack.resetPassword': operation(
    z
      .object({ cluster: z.enum(['app-postgres', 'temporal-postgres']), confirm: z.string().max(100) })
      .strict()
      .refine((v) => v.confirm === resetPasswordConfirmation(v.cluster), {
        message: 'Type "reset" and the cluster\'s name (for example "reset app-postgres") to confirm',
        path: ['confirm'],
      }),
    'writes',
  ).returns<{ cluster: string; reset: true }>(),
  /**
   * Applies the console's app-DB migrations to the stack in force. The embedded stack does this at start; an
   * attached one is never started here, so the operator prepares its app database with this (a guarded write).
   */
  'stack.migrateAppDb': operation(empty, 'writes').returns<{ applied: string[] }>(),
};

/**
 * A cluster password lost from the secret store is never replaced silently: the operator asks for a new one by
 * typing "reset <cluster>". The stack stops; its data is kept.
 */
export const resetPasswordConfirmation = (cluster: string) => `reset ${cluster}`;

/** What the operator types to confirm that the stack's data goes too. */
export const REMOVE_DATA_CONFIRMATION = 'delete data';

export const stackEvents = {
  'stack.status': StackStatusSchema,
};
