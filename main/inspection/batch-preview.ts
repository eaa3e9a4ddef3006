// What a batch action would do to each selected cycle, asked without writing anything (running it is
// main/temporal's runBatch).
import type pg from 'pg';
import type { BatchPreviewItem, CycleFilter, CycleRow, OpParsedInput, PhaseStatesView } from '../api';
import { batchStep, type HumanStepService } from '../temporal';
import type { StepPayload } from '../../shared/human-step-rules';
import { compensationSteps } from './compensation-plan';
import { cycleWhere, toCycleRow } from './queries';

export interface BatchPreviewDeps {
  withDb: <T>(work: (db: pg.Pool) => Promise<T>) => Promise<T>;
  /** Corrects running rows from Temporal visibility. */
  reconcile: (rows: CycleRow[]) => Promise<boolean>;
  phaseStates: (workflowId: string, runId?: string) => Promise<PhaseStatesView>;
  humanSteps: Pick<HumanStepService, 'state' | 'refusal'>;
}

async function selection(deps: BatchPreviewDeps, sel: OpParsedInput<'inspection.batchPreview'>['selection']) {
  return deps.withDb(async (db) => {
    const where = cycleWhere(sel.filter as CycleFilter, [sel.exclude]);
    const clause = where.sql
      ? `${where.sql} AND NOT (e.workflow_id = ANY($1::text[]))`
      : 'WHERE NOT (e.workflow_id = ANY($1::text[]))';
    const { rows } = await db.query<Parameters<typeof toCycleRow>[0]>(
      `SELECT e.workflow_id, e.run_id, e.cycle_id, e.status, e.version, e.started_at, e.finished_at, e.duration_ms,
              0 AS retries, 0 AS compensations, NULL AS current_phase
         FROM workflow_executions e ${clause} ORDER BY e.started_at DESC LIMIT ${sel.max + 1}`,
      where.args,
    );
    const cycles = rows.map(toCycleRow);
    const truncated = cycles.length > sel.max;
    return { cycles: cycles.slice(0, sel.max), truncated };
  });
}

export async function batchPreview(deps: BatchPreviewDeps, input: OpParsedInput<'inspection.batchPreview'>) {
  const { cycles, truncated } = await selection(deps, input.selection);
  await deps.reconcile(cycles);
  const items: BatchPreviewItem[] = [];
  for (const c of cycles) {
    if (c.status !== 'running') {
      items.push({ ...pick(c), effect: `skipped: already ${c.status}`, applies: false });
      continue;
    }
    if (input.action.action === 'cancel') {
      const view = await deps.phaseStates(c.workflowId, c.runId);
      const steps = compensationSteps(view.phases);
      items.push({
        ...pick(c),
        applies: true,
        effect: steps.length
          ? `cancel, then compensate ${steps.map((s) => `${s.label} (${s.strategy})`).join(' → ')}`
          : 'cancel; nothing to compensate',
      });
    } else {
      // The same check the workflow's validator makes, asked without writing anything to the history.
      const { signal, payload } = input.action;
      const steps = deps.humanSteps;
      const check = await steps
        .state(c.workflowId)
        .then(async (state) => {
          const request = batchStep(signal, payload, state ?? { openRfis: [], openExecutions: [] });
          return { request, refusal: await steps.refusal(c.workflowId, request) };
        })
        .catch((err: Error) => ({ request: undefined, refusal: err.message }));
      items.push(
        check.refusal || !check.request
          ? { ...pick(c), applies: false, effect: `refused: ${check.refusal}` }
          : { ...pick(c), applies: true, effect: describeStep(check.request) },
      );
    }
  }
  return { items, matched: cycles.length, truncated };
}

function describeStep(request: StepPayload): string {
  switch (request.step) {
    case 'scope_approval':
      return `${request.payload.approved ? 'approve' : 'reject'} the scope as ${request.payload.by}`;
    case 'rfi_responses':
      return `answer the RFIs of reports ${request.payload.answers.map((a) => a.reportId).join(', ')}`;
    case 'test_results':
      return `record ${request.payload.results.length} result(s) as ${request.payload.results[0]?.result ?? 'pass'}`;
  }
}

function pick(c: CycleRow) {
  return { workflowId: c.workflowId, cycleId: c.cycleId, status: c.status };
}
