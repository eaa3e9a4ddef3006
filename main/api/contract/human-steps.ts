// The cycle's human steps as operations: approve scope, answer RFIs, record results (validated by the workflow),
// and what a step's dialog shows (the proposed scope, the open RFIs, the open executions).
import { z } from 'zod';
import { operation } from './operation';
import { WorkflowIdSchema } from './ids';
import type { PhaseId } from '../../../shared/phases';

const by = z.string().trim().min(1, 'Say who decides').max(200);
const workflowId = WorkflowIdSchema;

export const ApproveScopeInputSchema = z
  .object({ workflowId, approved: z.boolean(), by, note: z.string().max(2000).optional() })
  .strict();
export const AnswerRfiInputSchema = z
  .object({
    workflowId,
    by,
    answers: z
      .array(
        z
          .object({
            reportId: z.number().int().positive(),
            response: z.string().trim().min(1, 'An answer cannot be empty').max(10_000),
          })
          .strict(),
      )
      .min(1, 'Give at least one answer')
      .max(500),
  })
  .strict();
export const RecordResultsInputSchema = z
  .object({
    workflowId,
    by,
    results: z
      .array(
        z
          .object({
            executionId: z.number().int().positive(),
            result: z.enum(['pass', 'fail']),
            note: z.string().max(2000).optional(),
          })
          .strict(),
      )
      .min(1, 'Give at least one result')
      .max(5000),
  })
  .strict();

export type HumanStep = 'scope_approval' | 'rfi_responses' | 'test_results';

/** What an accepted step changed. */
export interface StepOutcome {
  step: HumanStep;
  phase: PhaseId;
  changed: string;
  /** RFIs (report ids) or executions still open after this step. */
  remaining: number[];
  complete: boolean;
}

export interface ProposedAttribute {
  id: number;
  code: string;
  name: string;
  description: string;
  inScope: boolean;
  rationale: string;
}
export interface ProposedReportScope {
  reportId: number;
  report: string;
  population: number;
  /** How many records Sample Selection will draw from this report. */
  samplesToDraw: number;
  attributes: ProposedAttribute[];
}
export interface OpenRfi {
  reportId: number;
  report: string;
  owner: string;
  ownerEmail: string | null;
  question: string;
  sentAt: string;
}
export interface OpenExecution {
  id: number;
  reportId: number;
  attribute: string;
  attributeName: string;
  sample: string;
}

/** What the cycle waits for now and what the matching dialog shows; `waitingFor` null when nobody is awaited. */
export interface StepContext {
  workflowId: string;
  runId: string;
  running: boolean;
  waitingFor: HumanStep | null;
  since: string | null;
  /** The cycle's state in words ("this cycle is waiting for RFI answers from reports 2 and 3"). */
  message: string;
  /** Whether the workflow validates steps itself (cycles started before that take unchecked signals). */
  validated: boolean;
  scope: ProposedReportScope[];
  rfis: OpenRfi[];
  executions: OpenExecution[];
}

export const humanStepOperations = {
  'workflows.approveScope': operation(ApproveScopeInputSchema, 'writes').returns<StepOutcome>(),
  'workflows.answerRfi': operation(AnswerRfiInputSchema, 'writes').returns<StepOutcome>(),
  'workflows.recordResults': operation(RecordResultsInputSchema, 'writes').returns<StepOutcome>(),
  'workflows.stepContext': operation(z.object({ workflowId }).strict(), 'reads').returns<StepContext>(),
};
