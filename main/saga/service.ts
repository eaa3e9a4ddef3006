// The operator's side of the saga: retry a failed compensation (on the worker, with the step's retry class),
// mark one resolved with a note, and decide for a cycle that waits for the operator (a validated Update).
// Every one of these is a write, so the router's audit trail records it.
import os from 'node:os';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { AppDbPool } from '../db';
import type { CompensationRetryResult, OpParsedInput } from '../api';
import { notify } from '../../shared/notify';
import { PHASES, type PhaseId } from '../../shared/phases';
import { OpsError } from '../api';
import type { ConsoleContext, ConsoleModule } from '../context';
import type { StackSpec } from '../stack';
import { noSuchWorkflow } from '../temporal';

export interface SagaOptions {
  appDb: AppDbPool;
  temporal: () => Promise<Client>;
  spec: () => StackSpec;
}

/** How long the console waits for a retry's outcome before it reports it as still under way. */
const RETRY_WAIT_S = 120;

interface FailedEntry {
  run_id: string;
  phase: PhaseId;
  reason: string;
  detail: { heldBackBy?: PhaseId } | null;
  error: string | null;
  cycle_id: number | null;
}

function operatorName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'operator';
  }
}

export class SagaService implements ConsoleModule {
  readonly name = 'saga';

  constructor(
    private readonly ctx: ConsoleContext,
    private readonly options: SagaOptions,
  ) {
    ctx.router.register({
      'compensation.retry': (input) => this.retry(input),
      'compensation.resolve': (input) => this.resolve(input),
      'workflows.decide': (input) => this.decide(input),
    });
  }

  /** The cycle's failed ledger entries, in the order the chain ran them. */
  private async failedEntries(workflowId: string, runId?: string): Promise<FailedEntry[]> {
    const { rows } = await this.options.appDb.get().query<FailedEntry>(
      `SELECT l.run_id, l.phase, l.reason, l.detail, l.error, e.cycle_id
         FROM workflow_compensation_log l
         LEFT JOIN workflow_executions e ON e.workflow_id = l.workflow_id AND e.run_id = l.run_id
        WHERE l.workflow_id = $1 AND l.outcome = 'failed'
          AND l.run_id = COALESCE($2, (SELECT run_id FROM workflow_compensation_log WHERE workflow_id = $1
                                        ORDER BY created_at DESC LIMIT 1))
        ORDER BY l.id`,
      [workflowId, runId ?? null],
    );
    return rows;
  }

  private notFailed(workflowId: string, phase: string): OpsError {
    return new OpsError(
      'CONFLICT',
      `${workflowId} has no failed compensation for ${phase}.`,
      'Only an entry whose outcome is failed can be retried or resolved; the Compensation page lists them.',
    );
  }

  async retry(input: OpParsedInput<'compensation.retry'>): Promise<CompensationRetryResult> {
    const failed = await this.failedEntries(input.workflowId, input.runId);
    const entry = failed.find((f) => f.phase === input.phase);
    if (!entry) throw this.notFailed(input.workflowId, input.phase);
    if (entry.error?.startsWith('held back')) {
      throw new OpsError(
        'CONFLICT',
        `The compensation of ${input.phase} waits for ${entry.error.replace(/^held back: the compensation of (\S+).*/, '$1')}.`,
        'Retry that one first: the entries it held back are retried with it.',
      );
    }
    // The entry, then every entry it held back (directly or through another), in chain order.
    const chain: PhaseId[] = [input.phase];
    for (const f of failed) {
      const heldBy = /^held back: the compensation of (\S+),/.exec(f.error ?? '')?.[1];
      if (heldBy && chain.includes(heldBy as PhaseId)) chain.push(f.phase);
    }
    const settings = this.ctx.settings.get();
    const client = await this.options.temporal();
    const workflowId = `compensation-retry-${input.workflowId}-${input.phase}-${Date.now()}`;
    const handle = await client.workflow.start('CompensationRetryWorkflow', {
      workflowId,
      taskQueue: this.options.spec().temporal.taskQueue ?? settings.temporal.taskQueue,
      args: [
        {
          workflowId: input.workflowId,
          runId: entry.run_id,
          cycleId: entry.cycle_id ?? 0,
          reason: entry.reason,
          retryBaseMs: settings.worker.retryBaseMs,
          activityTimeoutS: settings.temporal.activityTimeoutS,
          phases: chain,
        },
      ],
    });
    // The retry runs on the worker: without one polling, say so instead of waiting for ever.
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      handle.result() as Promise<CompensationRetryResult>,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new OpsError(
                'TIMEOUT',
                `The retry of ${input.phase} (${workflowId}) did not finish within ${RETRY_WAIT_S} s.`,
                'Check that the worker runs (Stack page); the retry finishes once a worker picks it up, and the ledger shows its outcome.',
              ),
            ),
          RETRY_WAIT_S * 1000,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    this.ctx
      .log('workflows')
      .info(
        `compensation retry of ${input.workflowId} ${chain.join(', ')}: ${result.done.length} done, ${result.failed.length} failed`,
      );
    return result;
  }

  async resolve(input: OpParsedInput<'compensation.resolve'>): Promise<{ resolved: true }> {
    const db = this.options.appDb.get();
    const r = await db.query(
      `UPDATE workflow_compensation_log SET outcome = 'resolved', resolved_by = $4, resolution_note = $5,
              resolved_at = now(), updated_at = now()
        WHERE workflow_id = $1 AND phase = $2 AND outcome = 'failed'
          AND run_id = COALESCE($3, (SELECT run_id FROM workflow_compensation_log WHERE workflow_id = $1
                                      ORDER BY created_at DESC LIMIT 1))
        RETURNING run_id`,
      [input.workflowId, input.phase, input.runId ?? null, operatorName(), input.note],
    );
    if (!r.rowCount) throw this.notFailed(input.workflowId, input.phase);
    await notify(db, input.workflowId, 'workflow_compensation_log', input.phase, 'compensation:resolved');
    this.ctx.log('workflows').info(`compensation of ${input.workflowId} ${input.phase} marked resolved`);
    return { resolved: true };
  }

  async decide(input: OpParsedInput<'workflows.decide'>): Promise<{ accepted: string }> {
    const handle = (await this.options.temporal()).workflow.getHandle(input.workflowId);
    try {
      const accepted = await handle.executeUpdate('operatorDecision', {
        args: [{ decision: input.decision, by: input.by, ...(input.note ? { note: input.note } : {}) }],
      });
      this.ctx.log('workflows').info(`${input.workflowId}: ${input.decision} (by ${input.by})`);
      return { accepted: String(accepted) };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw noSuchWorkflow(input.workflowId);
      if (err instanceof WorkflowUpdateFailedError) {
        const cause = (err.cause as Error | undefined)?.message ?? err.message;
        throw new OpsError(
          'CONFLICT',
          `The cycle refused "${input.decision}": ${cause}`,
          input.decision === 'skip'
            ? `Skippable phases: ${PHASES.filter((p) => p.skippable)
                .map((p) => p.label)
                .join(', ')}. Nothing was changed.`
            : 'Nothing was changed; the cycle shows what it waits for.',
        );
      }
      throw err;
    }
  }
}
