import { z } from 'zod';
import { operation } from './operation';
import { WorkflowIdSchema } from './ids';
import { PHASE_IDS } from '../../../shared/phases';

export const PhaseIdSchema = z.enum(PHASE_IDS);

export const StartCycleInputSchema = z
  .object({
    cycleId: z.number().int().positive('Use a whole number of 1 or more'),
    reportIds: z.array(z.number().int().positive()).min(1, 'Name at least one report').max(500),
    skipPhases: z
      .array(PhaseIdSchema)
      .default([])
      .refine((s) => new Set(s).size === s.length, 'A phase is named twice'),
    autoApprove: z.boolean().optional(),
    /** A phase that fails for good waits for the operator; absent: the Settings' choice. */
    waitForOperator: z.boolean().optional(),
  })
  .strict();
export type StartCycleInput = z.infer<typeof StartCycleInputSchema>;

export const StartCycleResultSchema = z.object({
  workflowId: z.string(),
  runId: z.string(),
  alreadyRunning: z.boolean(),
});
export type StartCycleResult = z.infer<typeof StartCycleResultSchema>;

/** The payload each human step's signal carries. */
export const SignalPayloadSchemas = {
  approveScope: z
    .object({ approved: z.boolean(), by: z.string().min(1).max(200), note: z.string().max(2000).optional() })
    .strict(),
  rfiResponse: z
    .object({ reportId: z.number().int().positive(), response: z.string().min(1).max(10_000) })
    .strict(),
  testResult: z
    .object({
      executionId: z.number().int().positive().optional(),
      result: z.enum(['pass', 'fail']),
      note: z.string().max(2000).optional(),
    })
    .strict(),
};

export const SignalNameSchema = z.enum(['approveScope', 'rfiResponse', 'testResult']);
export const SignalInputSchema = z
  .object({
    workflowId: WorkflowIdSchema,
    signal: SignalNameSchema,
    payload: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export const PhaseStateSchema = z.enum([
  'pending',
  'running',
  'retrying',
  'completed',
  'failed',
  'skipped',
  'compensated',
  'needs_attention',
  'compensation_failed',
]);
export type PhaseState = z.infer<typeof PhaseStateSchema>;

export const PhaseProgressSchema = z.object({
  phase: PhaseIdSchema,
  state: PhaseStateSchema,
  attempts: z.number().int(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  lastFailure: z.string().optional(),
});
export type PhaseProgress = z.infer<typeof PhaseProgressSchema>;

export const CycleProgressSchema = z.object({
  workflowId: z.string(),
  status: z.enum(['running', 'completed', 'failed', 'cancelled', 'terminated', 'unknown']),
  phases: z.array(PhaseProgressSchema),
  waitingFor: z.array(z.string()),
});
export type CycleProgress = z.infer<typeof CycleProgressSchema>;

export const WorkflowProgressEventSchema = z.object({
  workflowId: z.string(),
  table: z.string(),
  phase: PhaseIdSchema.optional(),
  kind: z.string(),
  at: z.string(),
});
export type WorkflowProgressEvent = z.infer<typeof WorkflowProgressEventSchema>;

export const workflowOperations = {
  'workflows.start': operation(StartCycleInputSchema, 'writes').returns<StartCycleResult>(),
  'workflows.signal': operation(SignalInputSchema, 'writes').returns<{ delivered: true }>(),
  'workflows.cancel': operation(
    z
      .object({
        workflowId: WorkflowIdSchema,
        // It goes into the workflow's cancel request, the compensation ledger and the audit trail.
        reason: z.string().trim().min(3, 'Give a reason of a few words').max(500),
        by: z.string().trim().min(1).max(200).default('operator'),
      })
      .strict(),
    'writes',
  ).returns<{ cancelled: true }>(),
  'workflows.createDemoData': operation(
    z.object({ reports: z.number().int().min(1).max(50).default(3) }).strict(),
    'writes',
  ).returns<{ reportIds: number[]; created: number }>(),
  'workflows.progress': operation(
    z.object({ workflowId: WorkflowIdSchema }).strict(),
    'reads',
  ).returns<CycleProgress>(),
};

export const workflowEvents = {
  'workflow.progress': WorkflowProgressEventSchema,
};
