// The operator's side of the saga: retry or resolve a failed compensation, decide for a cycle that needs
// attention, and check that a worker bundle replays the cycles' histories before it is rolled out.
import { z } from 'zod';
import { operation } from './operation';
import { RunIdSchema, WorkflowIdSchema } from './ids';
import { PhaseIdSchema } from './workflows';

const entryRef = z
  .object({
    workflowId: WorkflowIdSchema,
    runId: RunIdSchema.optional(),
    phase: PhaseIdSchema,
  })
  .strict();

export const OperatorDecisionInputSchema = z
  .object({
    workflowId: WorkflowIdSchema,
    decision: z.enum(['retry', 'skip', 'abandon']),
    by: z.string().trim().min(1, 'Say who decides').max(200),
    note: z.string().max(2000).optional(),
  })
  .strict();
export type OperatorDecisionInput = z.infer<typeof OperatorDecisionInputSchema>;

export interface CompensationRetryResult {
  /** Entries that are now done (the one retried, then those it held back). */
  done: string[];
  failed: Array<{ phase: string; error: string }>;
}

export const ReplayCheckInputSchema = z
  .object({
    /** A workflow bundle file (built with the SDK's bundler); absent: the bundle the worker runs now. */
    bundlePath: z.string().max(4096).optional(),
    /** Besides the running cycles, the N most recent closed ones. */
    last: z.number().int().min(0).max(1000).default(20),
  })
  .strict();

export interface ReplayMismatch {
  eventId: number;
  eventType: string;
  /** The activity, timer or marker the history has there, when the event names one. */
  detail: string;
}

export interface ReplayCycleResult {
  workflowId: string;
  runId: string;
  status: string;
  outcome: 'replays' | 'nondeterminism' | 'error';
  message: string | null;
  /** For nondeterminism: the first event the bundle's code does not produce again. */
  firstMismatch: ReplayMismatch | null;
}

export interface ReplayCheckReport {
  bundle: string;
  checkedAt: string;
  results: ReplayCycleResult[];
  passed: boolean;
}

export const RollOutInputSchema = z
  .object({
    bundlePath: z.string().min(1).max(4096),
    /** Typed by the operator to roll out a bundle whose replay check failed. */
    override: z.string().max(100).optional(),
  })
  .strict();

/** What the operator types to roll out a bundle that failed its replay check. */
export const ROLL_OUT_OVERRIDE = 'roll out anyway';

export const sagaOperations = {
  'compensation.retry': operation(entryRef, 'writes').returns<CompensationRetryResult>(),
  'compensation.resolve': operation(
    entryRef.extend({
      note: z.string().trim().min(3, 'Say in a few words how it was resolved').max(2000),
    }),
    'writes',
  ).returns<{ resolved: true }>(),
  'workflows.decide': operation(OperatorDecisionInputSchema, 'writes').returns<{
    accepted: string;
  }>(),
  'worker.replayCheck': operation(ReplayCheckInputSchema, 'reads').returns<ReplayCheckReport>(),
  'worker.rollOut': operation(RollOutInputSchema, 'writes').returns<{
    bundle: string;
    report: ReplayCheckReport;
    overridden: boolean;
  }>(),
};

export const sagaEvents = {};
