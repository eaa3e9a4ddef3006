// A workflow id Temporal does not know, in the operator's words: one NOT_FOUND for every operation on a cycle.
import { WorkflowNotFoundError } from '@temporalio/client';
import { OpsError } from '../api';

export function noSuchWorkflow(workflowId: string): OpsError {
  return new OpsError(
    'NOT_FOUND',
    `No running workflow ${workflowId}.`,
    'Check the id on the Workflows page.',
  );
}

/** Temporal's WorkflowNotFoundError as NOT_FOUND for `workflowId`; any other error as it came. */
export function workflowError(err: unknown, workflowId: string): unknown {
  return err instanceof WorkflowNotFoundError ? noSuchWorkflow(workflowId) : err;
}
