// Running a batch action on the cycles a preview said it applies to: each cancel goes through workflows.cancel,
// each human step is built from that cycle's own open items and validated again by its workflow.
import { SignalPayloadSchemas, type BatchPreviewItem, type OpParsedInput } from '../api';
import { OpsError } from '../api';
import type { ConsoleContext } from '../context';
import { batchStep, type HumanStepService } from './human-steps';

export interface BatchDeps {
  ctx: ConsoleContext;
  humanSteps: Pick<HumanStepService, 'state' | 'send'>;
}

export async function runBatch(
  deps: BatchDeps,
  input: OpParsedInput<'inspection.batchRun'>,
  /** The same preview the operator saw (read afresh: a cycle may have moved since). */
  preview: (input: OpParsedInput<'inspection.batchRun'>) => Promise<{ items: BatchPreviewItem[] }>,
) {
  const action = input.action;
  if (action.action === 'signal') {
    const parsed = SignalPayloadSchemas[action.signal].safeParse(action.payload);
    if (!parsed.success) {
      throw new OpsError(
        'INVALID_INPUT',
        `The ${action.signal} payload is not valid.`,
        'Correct it; nothing was sent.',
      );
    }
  }
  const { items } = await preview(input);
  const results = [];
  for (const item of items.filter((i) => i.applies)) {
    try {
      if (action.action === 'cancel') {
        await deps.ctx.router.invoke('workflows.cancel', {
          workflowId: item.workflowId,
          reason: action.reason,
          by: 'operator (batch)',
        });
        results.push({ workflowId: item.workflowId, ok: true, message: item.effect });
        continue;
      }
      // Each cycle's step is built from its own open RFIs or executions, and the workflow validates it again.
      const state = await deps.humanSteps.state(item.workflowId);
      const request = batchStep(action.signal, action.payload, state ?? { openRfis: [], openExecutions: [] });
      const outcome = await deps.humanSteps.send(item.workflowId, request);
      results.push({ workflowId: item.workflowId, ok: true, message: outcome.changed });
    } catch (err) {
      results.push({ workflowId: item.workflowId, ok: false, message: (err as Error).message });
    }
  }
  deps.ctx
    .log('workflows')
    .info(`batch ${action.action}: ${results.filter((r) => r.ok).length}/${results.length} done`);
  return { results };
}
