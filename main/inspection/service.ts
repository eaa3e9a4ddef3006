// InspectionService: the read side of test cycles (list, graph states, detail, history, ledger, metrics, alerts)
// and the previews of the operator's heavier actions, registered on the router. The actions themselves
// (terminate, batch run) are cycle operations in main/temporal.
import type { Client } from '@temporalio/client';
import type pg from 'pg';
import type { AppDbPool } from '../db';
import type {
  CycleDetail,
  CycleList,
  CycleRow,
  HistoryEventView,
  HistoryPage,
  OpParsedInput,
  PhaseStatesView,
} from '../api';
import { OpsError } from '../api';
import type { ConsoleContext, ConsoleModule } from '../context';
import { runBatch, terminateCycle, type HumanStepService } from '../temporal';
import { MAX_ATTEMPTS } from '../../shared/workflow';
import { batchPreview, type BatchPreviewDeps } from './batch-preview';
import { compensationPreview } from './compensation-plan';
import { completionOrder } from './completion-order';
import { HistoryFollowers, TEMPORAL_HISTORY_PAGE_MAX } from './history-followers';
import { historyEventViews } from './history-events';
import { remindWaiting } from './waiting-reminder';
import { metricsView, phaseDurationStats } from './metrics';
import { derivePhaseStates, joinWaitingFor, type PhaseDurationStats } from './phase-states';
import {
  activityRows,
  executionRow,
  listCycles,
  phaseRows,
  retryRows,
  stepRows,
  transitionRows,
} from './queries';
import { alertRows, compensationRows } from './ledger-queries';
import { reconcileWithVisibility, temporalStatus, temporalView } from './temporal-status';
import { SharedReads } from './shared-reads';

export interface InspectionOptions {
  appDb: AppDbPool;
  temporal: () => Promise<Client>;
  namespace: () => string;
  /** Batch step actions go through the same validated steps as one cycle's buttons. */
  humanSteps: Pick<HumanStepService, 'state' | 'refusal' | 'send'>;
}

/** How often the console looks for cycles waiting too long for a person. */
const REMINDER_EVERY_MS = 15_000;

export class InspectionService implements ConsoleModule {
  readonly name = 'inspection';
  private stats: { at: number; value: PhaseDurationStats } | undefined;
  private reminder: NodeJS.Timeout | undefined;
  readonly sharedReads = new SharedReads();
  /** The running cycles' histories the windows re-read live, followed as they grow. */
  readonly followers: HistoryFollowers;

  constructor(
    private readonly ctx: ConsoleContext,
    private readonly options: InspectionOptions,
  ) {
    this.followers = new HistoryFollowers({ temporal: options.temporal, namespace: options.namespace });
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
        const status = await temporalStatus(this.options.temporal, workflowId, view.runId, view.status);
        const order =
          status === 'running' ? await completionOrder(this.options.temporal, workflowId) : undefined;
        return compensationPreview(workflowId, status, view.phases, action, order);
      },
      'inspection.terminate': ({ workflowId, reason }) =>
        terminateCycle(
          { temporal: this.options.temporal, withDb: (work) => this.withDb(work), log: ctx.log('workflows') },
          workflowId,
          reason,
        ),
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
      'inspection.batchPreview': (input) => batchPreview(this.previewDeps(), input),
      'inspection.batchRun': (input) =>
        runBatch({ ctx, humanSteps: options.humanSteps }, input, (i) => batchPreview(this.previewDeps(), i)),
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
    this.followers.close();
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

  /** One page of the list. Open pages following the same live list share reads (see SharedReads). */
  list(input: OpParsedInput<'inspection.list'>): Promise<CycleList> {
    return this.sharedReads.read(`list:${JSON.stringify(input)}`, async () => {
      const { sort, dir, offset, limit, count, ...filter } = input;
      const page = await this.withDb((db) => listCycles(db, filter, { sort, dir, offset, limit, count }));
      const visibility = await this.reconcile(page.rows);
      return { total: page.total, offset, rows: page.rows, visibility };
    });
  }

  private previewDeps(): BatchPreviewDeps {
    return {
      withDb: (work) => this.withDb(work),
      reconcile: (rows) => this.reconcile(rows),
      phaseStates: (workflowId, runId) => this.phaseStates(workflowId, runId),
      humanSteps: this.options.humanSteps,
    };
  }

  /** Corrects the tracked status of running rows from Temporal visibility (terminate and timeouts write no row). */
  private reconcile(rows: CycleRow[]): Promise<boolean> {
    return reconcileWithVisibility(this.options.temporal, rows);
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

  async detail(workflowId: string, runId?: string): Promise<CycleDetail> {
    const view = await this.phaseStates(workflowId, runId);
    return this.withDb(async (db) => {
      const [exec, activities, retryLog, steps, transitions, temporal] = await Promise.all([
        executionRow(db, workflowId, view.runId),
        activityRows(db, workflowId, view.runId, true),
        retryRows(db, workflowId, view.runId),
        stepRows(db, workflowId, view.runId),
        transitionRows(db, workflowId, view.runId),
        temporalView(this.options.temporal, workflowId, view.runId),
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

  async history(input: OpParsedInput<'inspection.history'>): Promise<HistoryPage> {
    const client = await this.options.temporal();
    let runId = input.runId;
    if (!runId) runId = (await this.withDb((db) => executionRow(db, input.workflowId)))?.runId;
    const page = async (token: string | undefined) => {
      const res = await client.workflowService.getWorkflowExecutionHistory({
        namespace: this.options.namespace(),
        execution: { workflowId: input.workflowId, runId },
        maximumPageSize: Math.min(input.pageSize, TEMPORAL_HISTORY_PAGE_MAX),
        nextPageToken: token ? Buffer.from(token, 'base64') : undefined,
      });
      const next =
        res.nextPageToken && res.nextPageToken.length
          ? Buffer.from(res.nextPageToken).toString('base64')
          : null;
      return { events: historyEventViews(res.history?.events ?? []), nextPageToken: next };
    };
    try {
      if (input.afterEventId === undefined) return await page(input.pageToken);
      // What is new after a given event: from the history as followed, else the pages read here (and it is
      // followed from now on), only the newer events sent on.
      const after = input.afterEventId;
      const held = runId ? this.followers.newer(input.workflowId, runId, after) : undefined;
      if (held) return { ...held, nextPageToken: null };
      const events: HistoryEventView[] = [];
      let anchor: HistoryEventView | undefined;
      let token: string | undefined;
      do {
        const read = await page(token);
        anchor ??= read.events.find((e) => e.id === after);
        events.push(...read.events.filter((e) => e.id > after));
        token = read.nextPageToken ?? undefined;
      } while (token);
      return {
        events,
        nextPageToken: null,
        after: anchor ? { id: anchor.id, time: anchor.time } : null,
      };
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
}
