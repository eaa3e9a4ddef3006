// InspectionService: the read side of test cycles (list, graph states, detail, history, ledger, metrics, alerts)
// and the operator's heavier actions (terminate, batch cancel/signal), registered on the router.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type pg from 'pg';
import type { AppDbPool } from '../db';
import {
  SignalPayloadSchemas,
  type BatchPreviewItem,
  type CycleDetail,
  type CycleFilter,
  type CycleList,
  type CycleRow,
  type CycleStatus,
  type OpParsedInput,
  type PendingActivityView,
  type PhaseStatesView,
} from '../api/contract';
import { OpsError } from '../api/errors';
import type { ConsoleContext, ConsoleModule } from '../console';
import { batchStep, type HumanStepService } from '../temporal';
import { MAX_ATTEMPTS } from '../../worker/shared';
import type { StepPayload } from '../../worker/human-step-rules';
import { compensationPreview, compensationSteps } from './compensation-plan';
import { completionOrder } from './completion-order';
import { historyEventViews } from './history-events';
import { remindWaiting } from './waiting-reminder';
import { metricsView, phaseDurationStats } from './metrics';
import { derivePhaseStates, joinWaitingFor, type PhaseDurationStats } from './phase-states';
import {
  activityRows,
  alertRows,
  compensationRows,
  cycleWhere,
  executionRow,
  listCycles,
  phaseRows,
  retryRows,
  stepRows,
  toCycleRow,
  transitionRows,
} from './queries';

export interface InspectionOptions {
  appDb: AppDbPool;
  temporal: () => Promise<Client>;
  namespace: () => string;
  /** Batch step actions go through the same validated steps as one cycle's buttons. */
  humanSteps: Pick<HumanStepService, 'state' | 'refusal' | 'send'>;
}

const TEMPORAL_STATUS: Record<string, CycleStatus> = {
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed_out',
  CONTINUED_AS_NEW: 'completed',
};

function within<T>(ms: number, work: Promise<T>): Promise<T | undefined> {
  return Promise.race([
    work.catch(() => undefined),
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref()),
  ]);
}

const SAFE_ID = /^[\w.:@-]+$/;
/** How often the console looks for cycles waiting too long for a person. */
const REMINDER_EVERY_MS = 15_000;

export class InspectionService implements ConsoleModule {
  readonly name = 'inspection';
  private stats: { at: number; value: PhaseDurationStats } | undefined;
  private reminder: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: ConsoleContext,
    private readonly options: InspectionOptions,
  ) {
    // A long-running console reminds about cycles waiting too long for a person; a one-shot CLI command does not.
    if (ctx.mode !== 'cli') {
      this.reminder = setInterval(() => void this.remind(), REMINDER_EVERY_MS);
      this.reminder.unref();
    }
    ctx.router.register({
      'inspection.list': (input) => this.list(input),
      'inspection.phases': ({ workflowId, runId }) => this.phaseStates(workflowId, runId),
      'inspection.detail': ({ workflowId, runId }) => this.detail(workflowId, runId),
      'inspection.history': (input) => this.history(input),
      'inspection.compensationPreview': async ({ workflowId, action }) => {
        const view = await this.phaseStates(workflowId);
        const status = await this.temporalStatus(workflowId, view.runId, view.status);
        const order = status === 'running' ? await this.completionOrder(workflowId) : undefined;
        return compensationPreview(workflowId, status, view.phases, action, order);
      },
      'inspection.terminate': ({ workflowId, reason }) => this.terminate(workflowId, reason),
      'inspection.compensations': (input) =>
        this.withDb((db) => compensationRows(db, { ...input, text: input.text })),
      'inspection.metrics': (input) => this.withDb((db) => metricsView(db, input)),
      'inspection.alerts': ({ includeAcknowledged, limit }) =>
        this.withDb((db) => alertRows(db, includeAcknowledged, limit)),
      'inspection.ackAlert': ({ ids }) =>
        this.withDb(async (db) => {
          const r = await db.query(
            'UPDATE workflow_alerts SET acknowledged_at = now() WHERE id = ANY($1::bigint[]) AND acknowledged_at IS NULL',
            [ids],
          );
          return { acknowledged: r.rowCount ?? 0 };
        }),
      'inspection.batchPreview': (input) => this.batchPreview(input),
      'inspection.batchRun': (input) => this.batchRun(input),
    });
  }

  /** One round of waiting reminders; the stack may be down (then nothing happens until it is up). */
  async remind(): Promise<number> {
    const minutes = this.ctx.settings.get().worker.waitingReminderMin ?? 0;
    try {
      return await remindWaiting(this.db(), minutes * 60_000);
    } catch {
      return 0;
    }
  }

  async shutdown(): Promise<void> {
    if (this.reminder) clearInterval(this.reminder);
  }

  private db(): pg.Pool {
    return this.options.appDb.get();
  }

  private async withDb<T>(work: (db: pg.Pool) => Promise<T>): Promise<T> {
    try {
      return await work(this.db());
    } catch (err) {
      if (err instanceof OpsError) throw err;
      const code = (err as { code?: string }).code;
      if (code === 'ECONNREFUSED' || code === '57P01' || code === '3D000' || code === 'ENOTFOUND') {
        throw new OpsError(
          'UNAVAILABLE',
          `The app DB does not answer: ${(err as Error).message}`,
          'Start the stack on the Stack page; the views fill in when it is up.',
        );
      }
      throw err;
    }
  }

  async list(input: OpParsedInput<'inspection.list'>): Promise<CycleList> {
    const { sort, dir, offset, limit, count, ...filter } = input;
    const page = await this.withDb((db) => listCycles(db, filter, { sort, dir, offset, limit, count }));
    const visibility = await this.reconcile(page.rows);
    return { total: page.total, offset, rows: page.rows, visibility };
  }

  /** Corrects the tracked status of running rows from Temporal visibility (terminate and timeouts write no row). */
  private async reconcile(rows: CycleRow[]): Promise<boolean> {
    const running = rows.filter(
      (r) => (r.status === 'running' || r.status === 'needs_attention') && SAFE_ID.test(r.workflowId),
    );
    if (running.length === 0) return true;
    const statuses = await within(
      1500,
      (async () => {
        const client = await this.options.temporal();
        const found = new Map<string, CycleStatus>();
        const query = `WorkflowId IN (${running.map((r) => `'${r.workflowId}'`).join(', ')})`;
        for await (const w of client.workflow.list({ query, pageSize: running.length + 10 }))
          found.set(`${w.workflowId}|${w.runId}`, TEMPORAL_STATUS[w.status.name] ?? 'unknown');
        return found;
      })(),
    );
    if (!statuses) return false;
    for (const row of running) {
      const status = statuses.get(`${row.workflowId}|${row.runId}`);
      if (status && status !== 'running') row.status = status;
    }
    return true;
  }

  private async durationStats(db: pg.Pool): Promise<PhaseDurationStats> {
    if (this.stats && Date.now() - this.stats.at < 30_000) return this.stats.value;
    const value = await phaseDurationStats(db);
    this.stats = { at: Date.now(), value };
    return value;
  }

  /** The graph's view of one cycle: one round of small indexed queries, no Temporal call (the live path). */
  async phaseStates(workflowId: string, runId?: string): Promise<PhaseStatesView> {
    return this.withDb(async (db) => {
      const exec = await executionRow(db, workflowId, runId);
      if (!exec) {
        throw new OpsError(
          'NOT_FOUND',
          `No tracked cycle ${workflowId}.`,
          'It may not have started yet; the list shows every tracked cycle.',
        );
      }
      const [phases, activities, retryLog, stats, compensations] = await Promise.all([
        phaseRows(db, workflowId, exec.runId),
        activityRows(db, workflowId, exec.runId, false),
        retryRows(db, workflowId, exec.runId),
        this.durationStats(db),
        compensationRows(db, { workflowId, runId: exec.runId, offset: 0, limit: 100 }),
      ]);
      const input = (exec.input ?? {}) as { skipPhases?: string[] };
      const states = derivePhaseStates({
        executionStatus: exec.status,
        phases,
        activities,
        retryLog,
        stats,
        maxAttempts: MAX_ATTEMPTS,
        skipPhases: input.skipPhases ?? [],
      });
      return {
        workflowId,
        runId: exec.runId,
        status: exec.status,
        phases: states,
        skipped: input.skipPhases ?? [],
        joinWaitingFor: joinWaitingFor(states),
        compensations: compensations.rows.reverse(),
        at: new Date().toISOString(),
      };
    });
  }

  /** The order the workflow completed its phases in, as it answers it (undefined without a worker). */
  private completionOrder(workflowId: string) {
    return completionOrder(this.options.temporal, workflowId);
  }

  private async temporalStatus(
    workflowId: string,
    runId: string,
    fallback: CycleStatus,
  ): Promise<CycleStatus> {
    const d = await within(
      2000,
      this.options.temporal().then((c) => c.workflow.getHandle(workflowId, runId).describe()),
    );
    return d ? (TEMPORAL_STATUS[d.status.name] ?? fallback) : fallback;
  }

  async detail(workflowId: string, runId?: string): Promise<CycleDetail> {
    const view = await this.phaseStates(workflowId, runId);
    return this.withDb(async (db) => {
      const [exec, activities, retryLog, steps, transitions, temporal] = await Promise.all([
        executionRow(db, workflowId, view.runId),
        activityRows(db, workflowId, view.runId, true),
        retryRows(db, workflowId, view.runId),
        stepRows(db, workflowId, view.runId),
        transitionRows(db, workflowId, view.runId),
        this.temporalView(workflowId, view.runId),
      ]);
      const row = exec!;
      // The tracking rows say more than Temporal where a state refines Temporal's: a cycle waiting for the
      // operator is running to Temporal, and one whose compensation failed closed as failed.
      const refines =
        (row.status === 'needs_attention' && temporal?.status === 'running') ||
        (row.status === 'compensation_failed' && temporal?.status === 'failed');
      const status = refines ? row.status : (temporal?.status ?? view.status);
      if (status !== row.status) {
        row.status = status;
        // The server's word wins: a terminated or timed-out cycle's running phase stopped there.
        view.status = status;
        if (status === 'terminated' || status === 'timed_out') {
          for (const p of view.phases) {
            if (p.state === 'running' || p.state === 'retrying') {
              p.state = 'failed';
              p.lastFailure ??= `stopped: the cycle was ${status}`;
              p.eta = null;
              p.nextRetryAt = null;
            }
          }
        }
      }
      const input = (row.input ?? {}) as { reportIds?: number[] };
      return {
        ...view,
        row,
        input: row.input,
        failure: row.failure,
        // Only a running cycle waits for anyone; a closed one keeps its last 'waiting' step rows.
        waitingFor:
          status === 'running' || status === 'needs_attention'
            ? (temporal?.waitingFor ?? steps.filter((s) => s.status === 'waiting').map((s) => s.step))
            : [],
        activities,
        retryLog,
        steps,
        transitions,
        pendingActivities: temporal?.pending ?? [],
        reportIds: input.reportIds ?? [],
      };
    });
  }

  private async temporalView(workflowId: string, runId: string) {
    return within(
      2500,
      (async () => {
        const handle = (await this.options.temporal()).workflow.getHandle(workflowId, runId);
        const d = await handle.describe();
        const status = TEMPORAL_STATUS[d.status.name] ?? 'unknown';
        const pending: PendingActivityView[] = (d.raw.pendingActivities ?? []).map((a) => ({
          activityId: a.activityId ?? '',
          activityType: a.activityType?.name ?? '',
          state: String(a.state ?? ''),
          attempt: a.attempt ?? 0,
          lastHeartbeatAt: tsIso(a.lastHeartbeatTime),
          lastFailure: a.lastFailure?.message ?? null,
          scheduledAt: tsIso(a.scheduledTime),
        }));
        // What the cycle waits for comes from its tracked human steps, not the `progress` query: a query makes
        // the worker replay a long history when the workflow is not in its cache.
        return { status, pending, waitingFor: undefined as string[] | undefined };
      })(),
    );
  }

  async history(input: OpParsedInput<'inspection.history'>) {
    const client = await this.options.temporal();
    let runId = input.runId;
    if (!runId) runId = (await this.withDb((db) => executionRow(db, input.workflowId)))?.runId;
    try {
      const res = await client.workflowService.getWorkflowExecutionHistory({
        namespace: this.options.namespace(),
        execution: { workflowId: input.workflowId, runId },
        maximumPageSize: input.pageSize,
        nextPageToken: input.pageToken ? Buffer.from(input.pageToken, 'base64') : undefined,
      });
      const token =
        res.nextPageToken && res.nextPageToken.length
          ? Buffer.from(res.nextPageToken).toString('base64')
          : null;
      return { events: historyEventViews(res.history?.events ?? []), nextPageToken: token };
    } catch (err) {
      if ((err as { code?: number }).code === 5) {
        throw new OpsError(
          'NOT_FOUND',
          `Temporal has no history for ${input.workflowId}.`,
          'It may be past retention.',
        );
      }
      throw err;
    }
  }

  async terminate(workflowId: string, reason: string): Promise<{ terminated: true }> {
    const handle = (await this.options.temporal()).workflow.getHandle(workflowId);
    try {
      await handle.terminate(reason);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        throw new OpsError(
          'NOT_FOUND',
          `No running workflow ${workflowId}.`,
          'Check the id on the Workflows page.',
        );
      }
      throw err;
    }
    this.ctx.log('workflows').warn(`terminated ${workflowId}: ${reason}`);
    // A terminated workflow runs no more code, so the console records the end it saw (and tells the live views).
    await this.withDb(async (db) => {
      const client = await db.connect();
      try {
        await client.query('BEGIN');
        const r = await client.query<{ run_id: string }>(
          `UPDATE workflow_executions SET status = 'terminated', failure = $2, finished_at = now(),
             duration_ms = (extract(epoch FROM now() - started_at) * 1000)::int
           WHERE workflow_id = $1 AND status IN ('running', 'needs_attention') RETURNING run_id`,
          [workflowId, `terminated: ${reason}`],
        );
        for (const { run_id } of r.rows) {
          await client.query(
            `UPDATE workflow_phases SET status = 'failed', failure = $3, finished_at = now()
              WHERE workflow_id = $1 AND run_id = $2 AND status IN ('running', 'needs_attention')`,
            [workflowId, run_id, `terminated: ${reason}`],
          );
        }
        await client.query(
          `SELECT pg_notify('workflow_progress', json_build_object('workflowId', $1::text, 'table', 'workflow_executions',
             'kind', 'execution:terminated', 'at', now())::text)`,
          [workflowId],
        );
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    });
    return { terminated: true };
  }

  private async selection(sel: OpParsedInput<'inspection.batchPreview'>['selection']) {
    return this.withDb(async (db) => {
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

  async batchPreview(input: OpParsedInput<'inspection.batchPreview'>) {
    const { cycles, truncated } = await this.selection(input.selection);
    await this.reconcile(cycles);
    const items: BatchPreviewItem[] = [];
    for (const c of cycles) {
      if (c.status !== 'running') {
        items.push({ ...pick(c), effect: `skipped: already ${c.status}`, applies: false });
        continue;
      }
      if (input.action.action === 'cancel') {
        const view = await this.phaseStates(c.workflowId, c.runId);
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
        const steps = this.options.humanSteps;
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

  async batchRun(input: OpParsedInput<'inspection.batchRun'>) {
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
    const { items } = await this.batchPreview(input);
    const results = [];
    for (const item of items.filter((i) => i.applies)) {
      try {
        if (action.action === 'cancel') {
          await this.ctx.router.invoke('workflows.cancel', {
            workflowId: item.workflowId,
            reason: action.reason,
            by: 'operator (batch)',
          });
          results.push({ workflowId: item.workflowId, ok: true, message: item.effect });
          continue;
        }
        // Each cycle's step is built from its own open RFIs or executions, and the workflow validates it again.
        const state = await this.options.humanSteps.state(item.workflowId);
        const request = batchStep(
          action.signal,
          action.payload,
          state ?? { openRfis: [], openExecutions: [] },
        );
        const outcome = await this.options.humanSteps.send(item.workflowId, request);
        results.push({ workflowId: item.workflowId, ok: true, message: outcome.changed });
      } catch (err) {
        results.push({ workflowId: item.workflowId, ok: false, message: (err as Error).message });
      }
    }
    this.ctx
      .log('workflows')
      .info(`batch ${action.action}: ${results.filter((r) => r.ok).length}/${results.length} done`);
    return { results };
  }
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

function tsIso(t: { seconds?: unknown; nanos?: number | null } | null | undefined): string | null {
  if (!t || t.seconds == null) return null;
  return new Date(Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)).toISOString();
}
