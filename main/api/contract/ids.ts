// The ids an operation names a workflow by, bounded as Temporal bounds them: a longer id can never name a workflow,
// and Temporal's frontend stalls on a request carrying a very long one instead of refusing it.
import { z } from 'zod';

/** Temporal's limit on a workflow id's length (its default `limit.maxIDLength`). */
export const MAX_WORKFLOW_ID_LENGTH = 1000;

export const WorkflowIdSchema = z.string().min(1).max(MAX_WORKFLOW_ID_LENGTH);
/** A run id is a UUID; the bound leaves room for any server's form. */
export const RunIdSchema = z.string().max(200);
