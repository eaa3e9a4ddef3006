// Read operations behind the Workflows, Compensation and Metrics pages, plus terminate and batch actions.
// The metrics and alerts views' shapes are in metrics.ts.
import { z } from 'zod';
import { operation } from './operation';
import { RunIdSchema, WorkflowIdSchema } from './ids';
import { startNotAfterEnd } from './ranges';
import { PhaseIdSchema, PhaseStateSchema, SignalNameSchema } from './workflows';
import { MetricsInputSchema, type AlertView, type MetricsView } from './metrics';

export * from './metrics';

export const CycleStatusSchema = z.enum([
  'running',
  'completed',
  'failed',
  'cancelled',
  'terminated',
  'timed_out',
  'needs_attention',
  'compensation_failed',
  'unknown',
]);
export type CycleStatus = z.infer<typeof CycleStatusSchema>;

export const CycleSortSchema = z.enum(['started', 'duration', 'retries', 'cycle']);

export const CycleFilterSchema = z
  .object({
    status: z.array(CycleStatusSchema).max(9).default([]),
    phase: PhaseIdSchema.optional(),
    version: z.number().int().positive().optional(),
    from: z.string().datetime({ offset: true }).optional(),
    to: z.string().datetime({ offset: true }).optional(),
    text: z.string().max(200).default(''),
  })
  .strict();
export type CycleFilter = z.infer<typeof CycleFilterSchema>;

export const CycleListInputSchema = CycleFilterSchema.extend({
  sort: CycleSortSchema.default('started'),
  dir: z.enum(['asc', 'desc']).default('desc'),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(100),
  /** Count the matches too (the first page does; further pages keep the count they have). */
  count: z.boolean().default(true),
})
  .strict()
  .superRefine(startNotAfterEnd('from', 'to'));
export type CycleListInput = z.input<typeof CycleListInputSchema>;

export interface CycleRow {
  workflowId: string;
  runId: string;
  cycleId: number | null;
  /** Tracking status, corrected by Temporal visibility for the rows on the page (a terminate writes no tracking row). */
  status: CycleStatus;
  currentPhase: string | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  /**
   * Over the cycle's finished phases: work (active_ms; a phase recorded before it was kept counts whole) and
   * waiting for a person. Null before a phase finishes.
   */
  activeMs: number | null;
  waitingMs: number | null;
  retries: number;
  compensations: number;
  version: number;
}

export interface CycleList {
  /** -1 when not counted (count: false). */
  total: number;
  offset: number;
  rows: CycleRow[];
  /** Whether Temporal visibility answered for this page (else statuses are the tracking tables' alone). */
  visibility: boolean;
}

/** A phase as the graph draws it: derived from the tracking rows (pure: see main/inspection/phase-states.ts). */
export interface PhaseStateView {
  phase: z.infer<typeof PhaseIdSchema>;
  state: z.infer<typeof PhaseStateSchema>;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  /** Its activities' work (retries and backoff included), once finished. */
  activeMs: number | null;
  /** Time waiting for a person: the total once finished, the finished waits so far while running. */
  waitingMs: number | null;
  /** The human step a running phase waits at now (scope_approval, rfi_responses, test_results), and since when. */
  waitingFor: string | null;
  waitingSince: string | null;
  attempts: number;
  maxAttempts: number;
  nextRetryAt: string | null;
  lastFailure: string | null;
  /** For a running phase: when it should end from this phase's past durations. */
  eta: { p50At: string; p90At: string } | null;
}

export interface PhaseStatesView {
  workflowId: string;
  runId: string;
  status: CycleStatus;
  phases: PhaseStateView[];
  skipped: string[];
  /** The join before phase 5: which branches it still waits for (empty when not waiting). */
  joinWaitingFor: string[];
  compensations: CompensationEntry[];
  at: string;
}

export interface ActivityAttempt {
  attempt: number;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  error: string | null;
}

export interface ActivityView {
  activityId: string;
  activityType: string;
  phase: string;
  retryClass: string;
  status: string;
  attempts: number;
  firstStartedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  history: ActivityAttempt[];
}

export interface RetryLogEntry {
  activityId: string;
  activityType: string;
  retryClass: string;
  attempt: number;
  maxAttempts: number;
  error: string;
  backoffMs: number | null;
  exhausted: boolean;
  failedAt: string;
}

export interface StepView {
  phase: string;
  step: string;
  kind: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  detail: unknown;
}

export interface PendingActivityView {
  activityId: string;
  activityType: string;
  state: string;
  attempt: number;
  lastHeartbeatAt: string | null;
  lastFailure: string | null;
  scheduledAt: string | null;
}

export interface CycleDetail extends PhaseStatesView {
  row: CycleRow;
  input: unknown;
  failure: string | null;
  waitingFor: string[];
  activities: ActivityView[];
  retryLog: RetryLogEntry[];
  steps: StepView[];
  transitions: Array<{ from: string; to: string; kind: string; at: string }>;
  pendingActivities: PendingActivityView[];
  /** Report ids the cycle's RFIs went to (the answers the operator may give). */
  reportIds: number[];
}

export interface HistoryEventView {
  id: number;
  time: string;
  type: string;
  /** One line for the timeline: activity type, signal name, failure message… */
  summary: string;
  attributes: unknown;
}

export interface HistoryPage {
  events: HistoryEventView[];
  nextPageToken: string | null;
  /** With `afterEventId`: that event as the history holds it now (null when it holds no such event). */
  after?: { id: number; time: string } | null;
}

export interface CompensationStepPreview {
  order: number;
  phase: string;
  label: string;
  strategy: string;
  /** Why it is in the plan: completed, or interrupted mid-way by the cancel. */
  because: 'completed' | 'interrupted';
}

export interface CompensationPreview {
  workflowId: string;
  action: 'cancel' | 'terminate';
  status: CycleStatus;
  steps: CompensationStepPreview[];
  /** What the action does in words, for the confirmation. */
  summary: string;
}

export interface CompensationEntry {
  id: number;
  workflowId: string;
  runId: string;
  cycleId: number | null;
  phase: string;
  strategy: string;
  action: string;
  outcome: string;
  reason: string;
  detail: unknown;
  createdAt: string;
  /** For `failed`: why; for `resolved`: who resolved it, when, and the note. */
  error: string | null;
  attempts: number;
  resolvedBy: string | null;
  resolutionNote: string | null;
  resolvedAt: string | null;
}

export const CompensationListInputSchema = z
  .object({
    workflowId: z.string().max(200).optional(),
    phase: PhaseIdSchema.optional(),
    strategy: z.string().max(40).optional(),
    outcome: z.string().max(40).optional(),
    text: z.string().max(200).default(''),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(500).default(200),
  })
  .strict();

export const BatchSelectionSchema = z
  .object({
    filter: CycleFilterSchema,
    exclude: z.array(z.string()).max(10_000).default([]),
    /** A cap on how many cycles the action may touch, so a broad filter cannot surprise. */
    max: z.number().int().min(1).max(1000).default(200),
  })
  .strict();

export const BatchActionSchema = z.discriminatedUnion('action', [
  z
    .object({
      action: z.literal('cancel'),
      reason: z.string().trim().min(3, 'Give a reason of a few words').max(500),
    })
    .strict(),
  z
    .object({
      action: z.literal('signal'),
      signal: SignalNameSchema,
      payload: z.record(z.string(), z.unknown()).default({}),
    })
    .strict(),
]);

export interface BatchPreviewItem {
  workflowId: string;
  cycleId: number | null;
  status: CycleStatus;
  /** What the action will do to this cycle, or why it is skipped. */
  effect: string;
  applies: boolean;
}

export interface BatchResultItem {
  workflowId: string;
  ok: boolean;
  message: string;
}

const workflowRef = z.object({ workflowId: WorkflowIdSchema, runId: RunIdSchema.optional() }).strict();

export const inspectionOperations = {
  'inspection.list': operation(CycleListInputSchema, 'reads').returns<CycleList>(),
  'inspection.phases': operation(workflowRef, 'reads').returns<PhaseStatesView>(),
  'inspection.detail': operation(workflowRef, 'reads').returns<CycleDetail>(),
  'inspection.history': operation(
    z
      .object({
        workflowId: WorkflowIdSchema,
        runId: RunIdSchema.optional(),
        pageToken: z.string().max(10_000).optional(),
        pageSize: z.number().int().min(1).max(2000).default(500),
        /**
         * Only the events after this one, with no page token: a view that holds the history up to it asks for what
         * is new. The answer names the event they follow (`after`), so the view can tell it holds the same history.
         */
        afterEventId: z.number().int().min(1).optional(),
      })
      .strict()
      .refine((input) => input.afterEventId === undefined || input.pageToken === undefined, {
        message: 'Give either a page token or the event to read after, not both.',
        path: ['afterEventId'],
      }),
    'reads',
  ).returns<HistoryPage>(),
  'inspection.compensationPreview': operation(
    z
      .object({ workflowId: WorkflowIdSchema, action: z.enum(['cancel', 'terminate']).default('cancel') })
      .strict(),
    'reads',
  ).returns<CompensationPreview>(),
  'inspection.terminate': operation(
    z
      .object({
        workflowId: WorkflowIdSchema,
        reason: z.string().trim().min(3, 'Give a reason of a few words').max(500),
      })
      .strict(),
    'writes',
  ).returns<{ terminated: true }>(),
  'inspection.compensations': operation(CompensationListInputSchema, 'reads').returns<{
    total: number;
    rows: CompensationEntry[];
  }>(),
  'inspection.metrics': operation(MetricsInputSchema, 'reads').returns<MetricsView>(),
  'inspection.alerts': operation(
    z
      .object({
        includeAcknowledged: z.boolean().default(false),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    'reads',
  ).returns<{ open: number; rows: AlertView[] }>(),
  'inspection.ackAlert': operation(
    z.object({ ids: z.array(z.number().int()).min(1).max(500) }).strict(),
    'writes',
  ).returns<{ acknowledged: number }>(),
  'inspection.batchPreview': operation(
    z.object({ selection: BatchSelectionSchema, action: BatchActionSchema }).strict(),
    'reads',
  ).returns<{ items: BatchPreviewItem[]; matched: number; truncated: boolean }>(),
  'inspection.batchRun': operation(
    z.object({ selection: BatchSelectionSchema, action: BatchActionSchema }).strict(),
    'writes',
  ).returns<{ results: BatchResultItem[] }>(),
};

export const inspectionEvents = {};
