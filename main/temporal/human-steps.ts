// The console's side of the human steps: each step is a Workflow Update the workflow validates (a refusal writes
// nothing to the history and comes back as the operator's message); cycles started before the updates existed
// get the old signals, after the same check made here from their tracking rows.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type pg from 'pg';
import type { AppDbPool } from '../db';
import type { HumanStep, StepContext, StepOutcome } from '../api';
import { OpsError } from '../api';
import type { ConsoleContext, ConsoleModule } from '../context';
import {
  STEP_PHASE,
  STEP_UPDATE,
  stepRefusal,
  waitingMessage,
  type HumanStepState,
  type StepPayload,
} from '../../shared/human-step-rules';
import type { HumanStepView } from '../../shared/workflow';
import { noSuchWorkflow } from './not-found';
import { openExecutions, openRfis, proposedScope } from './step-context';

export interface HumanStepOptions {
  appDb: AppDbPool;
  temporal: () => Promise<Client>;
}

const SIGNAL_OF: Record<HumanStep, string> = {
  scope_approval: 'approveScope',
  rfi_responses: 'rfiResponse',
  test_results: 'testResult',
};

function firstUpper(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A refused step as the operator reads it, wherever it was refused (workflow validator, console or CLI). */
export function refused(message: string): OpsError {
  return new OpsError(
    'CONFLICT',
    `${firstUpper(message)}.`,
    'Nothing was recorded. Send the step the cycle waits for (the highlighted action on the Workflows page).',
  );
}

/** A batch action's payload made into one cycle's step: no id given means every RFI or execution still open. */
export function batchStep(
  signal: 'approveScope' | 'rfiResponse' | 'testResult',
  payload: Record<string, unknown>,
  state: Pick<HumanStepState, 'openRfis' | 'openExecutions'>,
): StepPayload {
  const by = typeof payload.by === 'string' && payload.by.trim() ? payload.by : 'operator (batch)';
  const note = typeof payload.note === 'string' ? payload.note : undefined;
  switch (signal) {
    case 'approveScope':
      return {
        step: 'scope_approval',
        payload: { approved: payload.approved !== false, by, ...(note ? { note } : {}) },
      };
    case 'rfiResponse': {
      const ids = typeof payload.reportId === 'number' ? [payload.reportId] : state.openRfis;
      const response = String(payload.response ?? '');
      return {
        step: 'rfi_responses',
        payload: { by, answers: ids.map((reportId) => ({ reportId, response })) },
      };
    }
    case 'testResult': {
      const ids = typeof payload.executionId === 'number' ? [payload.executionId] : state.openExecutions;
      const result = payload.result === 'fail' ? 'fail' : 'pass';
      return {
        step: 'test_results',
        payload: {
          by,
          results: ids.map((executionId) => ({ executionId, result, ...(note ? { note } : {}) })),
        },
      };
    }
  }
}

export class HumanStepService implements ConsoleModule {
  readonly name = 'human-steps';

  constructor(
    private readonly ctx: ConsoleContext,
    private readonly options: HumanStepOptions,
  ) {
    ctx.router.register({
      'workflows.approveScope': ({ workflowId, ...payload }) =>
        this.send(workflowId, { step: 'scope_approval', payload }),
      'workflows.answerRfi': ({ workflowId, ...payload }) =>
        this.send(workflowId, { step: 'rfi_responses', payload }),
      'workflows.recordResults': ({ workflowId, ...payload }) =>
        this.send(workflowId, { step: 'test_results', payload }),
      'workflows.stepContext': ({ workflowId }) => this.context(workflowId),
    });
  }

  private db(): pg.Pool {
    return this.options.appDb.get();
  }

  /** The workflow's own view of its human steps; undefined for cycles started before the updates. */
  async state(workflowId: string): Promise<HumanStepView | undefined> {
    const handle = (await this.options.temporal()).workflow.getHandle(workflowId);
    try {
      return await handle.query<HumanStepView>('humanStep');
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw noSuchWorkflow(workflowId);
      if (/humanStep/.test((err as Error).message)) return undefined;
      throw err;
    }
  }

  /** Why the step would be refused now (no history is written to find out), or undefined. */
  async refusal(workflowId: string, request: StepPayload): Promise<string | undefined> {
    const state = await this.state(workflowId);
    if (state) return stepRefusal(state, request);
    const waiting = await this.trackedWaiting(workflowId);
    return waiting === request.step ? undefined : legacyRefusal(waiting, request.step);
  }

  async send(workflowId: string, request: StepPayload): Promise<StepOutcome> {
    const handle = (await this.options.temporal()).workflow.getHandle(workflowId);
    let outcome: StepOutcome;
    try {
      outcome = await handle.executeUpdate<StepOutcome, [unknown]>(STEP_UPDATE[request.step], {
        args: [request.payload],
      });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw noSuchWorkflow(workflowId);
      if (!(err instanceof WorkflowUpdateFailedError)) throw err;
      const message = causeMessage(err);
      if (!/no registered handler for update/i.test(message)) throw refused(message);
      outcome = await this.sendSignals(workflowId, request);
    }
    this.ctx.log('workflows').info(`${workflowId}: ${outcome.changed}`);
    return outcome;
  }

  /** Cycles started before the updates: the old signals, sent only when the tracked rows say the step is due. */
  private async sendSignals(workflowId: string, request: StepPayload): Promise<StepOutcome> {
    const waiting = await this.trackedWaiting(workflowId);
    if (waiting !== request.step) throw refused(legacyRefusal(waiting, request.step));
    const handle = (await this.options.temporal()).workflow.getHandle(workflowId);
    const signal = SIGNAL_OF[request.step];
    const messages =
      request.step === 'scope_approval'
        ? [request.payload]
        : request.step === 'rfi_responses'
          ? request.payload.answers
          : request.payload.results;
    for (const m of messages) await handle.signal(signal, m);
    return {
      step: request.step,
      phase: STEP_PHASE[request.step],
      changed: `${messages.length} ${signal} signal${messages.length === 1 ? '' : 's'} sent (a cycle started before validated steps)`,
      remaining: [],
      complete: false,
    };
  }

  private async trackedWaiting(workflowId: string): Promise<HumanStep | null> {
    const { rows } = await this.db().query<{ step: HumanStep }>(
      `SELECT s.step FROM workflow_steps s JOIN workflow_executions e ON e.workflow_id = s.workflow_id AND e.run_id = s.run_id
        WHERE s.workflow_id = $1 AND s.status = 'waiting' AND e.status = 'running'
        ORDER BY s.started_at DESC LIMIT 1`,
      [workflowId],
    );
    return rows[0]?.step ?? null;
  }

  async context(workflowId: string): Promise<StepContext> {
    const { rows } = await this.db().query<{
      run_id: string;
      status: string;
      cycle_id: number;
      input: unknown;
    }>(
      `SELECT run_id, status, cycle_id, input FROM workflow_executions WHERE workflow_id = $1 ORDER BY started_at DESC LIMIT 1`,
      [workflowId],
    );
    const exec = rows[0];
    if (!exec) throw noSuchWorkflow(workflowId);
    const running = exec.status === 'running';
    const state = running ? await this.state(workflowId).catch(() => undefined) : undefined;
    const waitingFor = state ? state.waitingFor : running ? await this.trackedWaiting(workflowId) : null;
    const reportIds = ((exec.input ?? {}) as { reportIds?: number[] }).reportIds ?? [];
    const [scope, rfis, executions] = await Promise.all([
      waitingFor === 'scope_approval' ? proposedScope(this.db(), exec.cycle_id, reportIds) : [],
      waitingFor === 'rfi_responses' ? openRfis(this.db(), exec.cycle_id, state?.openRfis) : [],
      waitingFor === 'test_results' ? openExecutions(this.db(), exec.cycle_id, state?.openExecutions) : [],
    ]);
    return {
      workflowId,
      runId: exec.run_id,
      running,
      waitingFor,
      since: state?.since ?? null,
      message: state
        ? state.message
        : waitingFor
          ? waitingMessage({
              waitingFor,
              running: [],
              decided: null,
              rfis: rfis.map((r) => r.reportId),
              openRfis: rfis.map((r) => r.reportId),
              executions: executions.map((e) => e.id),
              openExecutions: executions.map((e) => e.id),
            })
          : running
            ? 'this cycle is not waiting for a person'
            : `this cycle is ${exec.status}`,
      validated: state !== undefined,
      scope,
      rfis,
      executions,
    };
  }
}

function legacyRefusal(waiting: HumanStep | null, step: HumanStep): string {
  const state: HumanStepState = {
    waitingFor: waiting,
    running: [],
    decided: null,
    rfis: [],
    openRfis: [],
    executions: [],
    openExecutions: [],
  };
  return stepRefusal(state, { step, payload: {} } as StepPayload) ?? '';
}

function causeMessage(err: WorkflowUpdateFailedError): string {
  let e: { message?: string; cause?: unknown } | undefined = err;
  while (e?.cause) e = e.cause as typeof e;
  return e?.message ?? err.message;
}
