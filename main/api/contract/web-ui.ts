// The Temporal Web UI from the console: its addresses for the stack in force (a cycle, the workflows list) and
// the `temporal` CLI command for a cycle. Opening a page is the shell's job (Electron: the system browser).
import { z } from 'zod';
import { operation } from './operation';
import { WorkflowIdSchema } from './ids';

export interface WebUiLinks {
  /** False when the stack in force has no Web UI the console knows of; `reason` says why and what to do. */
  available: boolean;
  reason?: string;
  /** The UI's origin, e.g. http://127.0.0.1:8088. */
  baseUrl?: string;
  /** The namespace's workflows list. */
  workflowsUrl?: string;
  /** The page of the workflow asked for. */
  workflowUrl?: string;
  /** `temporal workflow describe …` for the workflow asked for (works whether the UI runs or not). */
  cliCommand?: string;
  /** Origins the desktop app may open in the system browser: the embedded UI's loopback address, the profile's UI. */
  allowedOrigins: string[];
}

export const webUiOperations = {
  'webUi.links': operation(
    z
      .object({
        workflowId: WorkflowIdSchema.optional(),
        runId: z.string().min(1).max(200).optional(),
      })
      .strict(),
    'reads',
  ).returns<WebUiLinks>(),
  /** Desktop only: opens an allowed Web UI address in the system browser (browser mode opens a tab itself). */
  // Opening a page in the operator's own browser changes nothing on the stack.
  'webUi.open': operation(z.object({ url: z.string().min(1).max(4096) }).strict(), 'reads').returns<{
    opened: true;
  }>(),
};
