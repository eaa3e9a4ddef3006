// Starts, signals, cancels and reads test cycles on the Temporal server (the API side of TestCycleWorkflow).
import { randomUUID } from 'node:crypto';
import {
  Client,
  Connection,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import type { AppDbPool } from '../db';
import {
  SignalPayloadSchemas,
  type CycleProgress,
  type StartCycleInput,
  type StartCycleResult,
} from '../api';
import { PHASE_IDS } from '../../shared/phases';
import { inTransaction } from '../../shared/transaction';
import { workflowError } from './not-found';
import { OpsError } from '../api';
import type { ConsoleContext, ConsoleModule } from '../context';
import type { StackSpec } from '../stack';
import { connectTemporal, diagnoseTemporalError, temporalConnectionOptions } from '../stack';
import { WORKFLOW_TYPE, type CycleInput } from '../../shared/workflow';

export const cycleWorkflowId = (cycleId: number) => `test-cycle-${cycleId}`;

export interface CycleServiceOptions {
  spec: () => StackSpec;
  appDb: AppDbPool;
}

export class CycleService implements ConsoleModule {
  readonly name = 'cycles';
  private connection: Connection | undefined;
  private connectionKey = '';

  constructor(
    private readonly ctx: ConsoleContext,
    private readonly options: CycleServiceOptions,
  ) {
    ctx.router.register({
      'workflows.start': (input) => this.start(input),
      'workflows.signal': async ({ workflowId, signal, payload }) => {
        const parsed = SignalPayloadSchemas[signal].safeParse(payload);
        if (!parsed.success) {
          throw new OpsError(
            'INVALID_INPUT',
            `The ${signal} payload is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ')}`,
            'Correct the payload and send it again; nothing was sent.',
          );
        }
        const handle = (await this.client()).workflow.getHandle(workflowId);
        await this.guard(workflowId, () => handle.signal(signal, parsed.data));
        return { delivered: true as const };
      },
      'workflows.cancel': async ({ workflowId, reason, by }) => {
        const client = await this.client();
        const handle = client.workflow.getHandle(workflowId);
        // The reason first, fire-and-forget (the compensations name it), then the cancel request, which carries
        // it too: Temporal records it in the history's cancel request.
        await this.guard(workflowId, () => handle.signal('cancelReason', { reason, by }));
        await this.guard(workflowId, () =>
          client.workflowService.requestCancelWorkflowExecution({
            namespace: this.options.spec().temporal.namespace,
            workflowExecution: { workflowId },
            identity: `ops-console (${by})`,
            requestId: randomUUID(),
            reason,
          }),
        );
        this.ctx.log('workflows').info(`cancel requested for ${workflowId} by ${by}: ${reason}`);
        return { cancelled: true as const };
      },
      'workflows.progress': ({ workflowId }) => this.progress(workflowId),
      'workflows.createDemoData': ({ reports }) => this.createDemoData(reports),
    });
  }

  /** A client for the stack's Temporal; reconnects when the address changes. */
  async client(): Promise<Client> {
    const spec = this.options.spec();
    const options = temporalConnectionOptions(spec);
    const key = JSON.stringify([spec.profile, spec.temporal]);
    if (!this.connection || this.connectionKey !== key) {
      await this.connection?.close().catch(() => undefined);
      this.connection = undefined;
      try {
        this.connection = await connectTemporal({ ...options, connectTimeout: '5 s' });
      } catch (err) {
        throw await diagnoseTemporalError(err, spec);
      }
      this.connectionKey = key;
    }
    return new Client({ connection: this.connection, namespace: spec.temporal.namespace });
  }

  private async guard<T>(workflowId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw workflowError(err, workflowId);
    }
  }

  private async checkReports(reportIds: number[]): Promise<void> {
    let found: number[];
    try {
      const { rows } = await this.options.appDb
        .get()
        .query<{ id: number }>('SELECT id FROM reports WHERE id = ANY($1)', [reportIds]);
      found = rows.map((r) => r.id);
    } catch (err) {
      throw new OpsError(
        'UNAVAILABLE',
        `The app DB does not answer: ${(err as Error).message}`,
        'Start the stack and try again; nothing was started.',
      );
    }
    const missing = reportIds.filter((id) => !found.includes(id));
    if (missing.length) {
      throw new OpsError(
        'INVALID_INPUT',
        `Report ${missing.join(', ')} does not exist in the app DB.`,
        'Pick reports that exist (or load the demo reports with `ops-console demo-data`); nothing was started.',
      );
    }
  }

  /** Starts the cycle's workflow; a cycle already running is returned as it is (idempotent on the cycle id). */
  async start(input: StartCycleInput & { tracking?: boolean }): Promise<StartCycleResult> {
    const settings = this.ctx.settings.get();
    const client = await this.client();
    const workflowId = cycleWorkflowId(input.cycleId);
    const running = await this.runningRun(client, workflowId);
    if (running) return { workflowId, runId: running, alreadyRunning: true };
    await this.checkReports(input.reportIds);
    const args: CycleInput = {
      cycleId: input.cycleId,
      reportIds: input.reportIds,
      skipPhases: input.skipPhases ?? [],
      autoApprove: input.autoApprove ?? settings.worker.autoApprove,
      retryBaseMs: settings.worker.retryBaseMs,
      tracking: input.tracking ?? true,
      activityTimeoutS: settings.temporal.activityTimeoutS,
      waitForOperator: input.waitForOperator ?? settings.worker.waitForOperator,
      attentionTimeoutS: Math.round(settings.worker.attentionTimeoutH * 3600),
    };
    try {
      const handle = await client.workflow.start(WORKFLOW_TYPE, {
        workflowId,
        taskQueue: this.options.spec().temporal.taskQueue ?? settings.temporal.taskQueue,
        args: [args],
        workflowExecutionTimeout: `${settings.temporal.workflowTimeoutS} s`,
        // A completed cycle stays completed; a failed or cancelled one may run again.
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      });
      this.ctx.log('workflows').info(`started ${workflowId} (reports ${input.reportIds.join(', ')})`);
      return { workflowId, runId: handle.firstExecutionRunId, alreadyRunning: false };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        const runId = await this.runningRun(client, workflowId);
        if (runId) return { workflowId, runId, alreadyRunning: true };
        throw new OpsError(
          'CONFLICT',
          `Cycle ${input.cycleId} already ran to completion (${workflowId}).`,
          'Open it on the Workflows page, or start a new cycle id.',
        );
      }
      throw err;
    }
  }

  private async runningRun(client: Client, workflowId: string): Promise<string | undefined> {
    try {
      const d = await client.workflow.getHandle(workflowId).describe();
      return d.status.name === 'RUNNING' ? d.runId : undefined;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  async progress(workflowId: string): Promise<CycleProgress> {
    const client = await this.client();
    const handle = client.workflow.getHandle(workflowId);
    const d = await this.guard(workflowId, () => handle.describe());
    const status =
      (
        {
          RUNNING: 'running',
          COMPLETED: 'completed',
          FAILED: 'failed',
          CANCELLED: 'cancelled',
          TERMINATED: 'terminated',
          TIMED_OUT: 'failed',
        } as const
      )[d.status.name as 'RUNNING'] ?? 'unknown';
    try {
      const view = await handle.query<{
        phases: CycleProgress['phases'];
        waitingFor: string[];
      }>('progress');
      return { workflowId, status, phases: view.phases, waitingFor: view.waitingFor };
    } catch {
      // No worker to answer the query: fall back to the tracking tables.
      return { workflowId, status, phases: await this.trackedPhases(workflowId, d.runId), waitingFor: [] };
    }
  }

  private async trackedPhases(workflowId: string, runId: string): Promise<CycleProgress['phases']> {
    const { rows } = await this.options.appDb.get().query<{
      phase: (typeof PHASE_IDS)[number];
      status: CycleProgress['phases'][number]['state'];
      started_at: Date | null;
      finished_at: Date | null;
      failure: string | null;
    }>('SELECT phase, status, started_at, finished_at, failure FROM workflow_phases WHERE workflow_id = $1 AND run_id = $2 ORDER BY phase_number', [workflowId, runId]);
    return PHASE_IDS.map((phase) => {
      const row = rows.find((r) => r.phase === phase);
      return {
        phase,
        state: row?.status ?? 'pending',
        attempts: row?.started_at ? 1 : 0,
        startedAt: row?.started_at?.toISOString(),
        finishedAt: row?.finished_at?.toISOString(),
        lastFailure: row?.failure ?? undefined,
      };
    });
  }

  /** Demo reports 1..n, each with a reachable data owner, for trying cycles on an empty app DB. */
  async createDemoData(count: number): Promise<{ reportIds: number[]; created: number }> {
    return inTransaction(this.options.appDb.get(), async (client) => {
      let created = 0;
      const reportIds: number[] = [];
      for (let id = 1; id <= count; id++) {
        const owner = await client.query<{ id: number }>(
          `INSERT INTO data_owners (name, email) SELECT $1, $2
             WHERE NOT EXISTS (SELECT 1 FROM data_owners WHERE email = $2) RETURNING id`,
          [`Demo owner ${id}`, `owner${id}@demo.invalid`],
        );
        const ownerId =
          owner.rows[0]?.id ??
          (
            await client.query<{ id: number }>('SELECT id FROM data_owners WHERE email = $1', [
              `owner${id}@demo.invalid`,
            ])
          ).rows[0]!.id;
        const r = await client.query(
          `INSERT INTO reports (id, name, data_owner_id, population_size) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
          [id, `Demo report ${id}`, ownerId, 200 + id * 50],
        );
        created += r.rowCount ?? 0;
        reportIds.push(id);
      }
      return { reportIds, created };
    });
  }

  async shutdown(): Promise<void> {
    await this.connection?.close().catch(() => undefined);
    this.connection = undefined;
  }
}
