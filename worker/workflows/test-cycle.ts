// TestCycleWorkflow: the 8 phases of a test cycle as orchestration only. Phases 3 and 4 run in parallel and join
// before 5; human steps are validated updates (human-steps.ts); on a failure for good or a cancel, the failed and
// completed phases are compensated in reverse (saga.ts), or, when the operator opted in, a phase that failed for
// good waits for their decision (attention.ts). Every side effect is an activity.
import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { PHASES, type PhaseId } from '../../shared/phases';
import {
  MAX_ATTEMPTS,
  workflowCompensationOrder,
  type CycleInput,
  type CycleSummary,
  type RetryClass,
  type TrackEvent,
} from '../../shared/workflow';
import { HUMAN_STEPS_PATCH, humanSteps } from './human-steps';
import { OperatorAttention, fixHint, waitsForOperator } from './attention';
import { SAGA_PATCH, failureMessage, runCompensationChain } from './saga';

export const CARRY_TRACKING_PATCH = 'tracking-in-activities';

export interface PhaseView {
  phase: PhaseId;
  state:
    | 'pending'
    | 'running'
    | 'completed'
    | 'failed'
    | 'skipped'
    | 'compensated'
    | 'needs_attention'
    | 'compensation_failed';
  attempts: number;
  startedAt?: string;
  finishedAt?: string;
  lastFailure?: string;
}
export interface CycleView {
  version: number;
  phases: PhaseView[];
  waitingFor: string[];
  /** The phases in the order they completed: the cancel preview reverses it the way the compensation does. */
  completedOrder?: PhaseId[];
}
export const progressQuery = defineQuery<CycleView>('progress');

function activitiesFor(retryClass: RetryClass, input: CycleInput, saga: boolean) {
  return proxyActivities<Activities>({
    startToCloseTimeout: `${input.activityTimeoutS} s`,
    // A cancel waits for the running activity to end, so compensation never races a commit it cannot see.
    ...(saga ? { cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED } : {}),
    retry: {
      maximumAttempts: MAX_ATTEMPTS,
      initialInterval: input.retryBaseMs,
      // The activity names the exact next delay (nextRetryDelay); this is the same shape as a fallback.
      backoffCoefficient: retryClass === 'llm' ? 2 : 1,
      nonRetryableErrorTypes: ['DataError'],
    },
  });
}

export async function TestCycleWorkflow(input: CycleInput): Promise<CycleSummary> {
  const { workflowId, runId } = workflowInfo();
  const summarize = patched('summarize-final-report');
  const validated = patched(HUMAN_STEPS_PATCH);
  // Failed phases undone too, failed compensations recorded and the chain carried on: cycles started earlier
  // replay without it.
  const saga = patched(SAGA_PATCH);
  // The tracking events ride on the activity that follows them, and a phase's last activity writes it completed:
  // no tracking step between phases (cycles started earlier replay without it).
  const carry = patched(CARRY_TRACKING_PATCH);
  const version = carry ? 5 : saga ? 4 : validated ? 3 : summarize ? 2 : 1;
  const llm = activitiesFor('llm', input, saga);
  const db = activitiesFor('database', input, saga);
  const email = activitiesFor('email', input, saga);
  const attention = new OperatorAttention(input.attentionTimeoutS ?? 72 * 3600);
  const { track } = proxyLocalActivities<Activities>({
    startToCloseTimeout: '30 s',
    retry: { initialInterval: '200 ms', maximumInterval: '5 s' },
  });

  const phases = new Map<PhaseId, PhaseView>(
    PHASES.map((p) => [p.id, { phase: p.id, state: 'pending', attempts: 0 }]),
  );
  const completed: PhaseId[] = [];
  setHandler(progressQuery, () => ({
    version,
    phases: [...phases.values()],
    waitingFor: [...waitingFor],
    completedOrder: [...completed],
  }));

  let pending: TrackEvent[] = [];
  const mark = (event: TrackEvent) => {
    if (input.tracking) pending.push(event);
  };
  const flush = async () => {
    if (pending.length === 0) return;
    const events = pending;
    pending = [];
    await track({ workflowId, runId, cycleId: input.cycleId, version, input, events });
  };
  /** Per phase: the events its activities carried, queued again if the phase fails (they may not be written). */
  const carried = new Map<PhaseId, TrackEvent[]>();
  /** Events a phase's next activity carries besides the pending ones (the parallel pair's running marks). */
  const alsoCarry = new Map<PhaseId, TrackEvent[]>();
  /** The phases whose last activity was called with completesPhase: it writes the completion itself. */
  const completesItself = new Set<PhaseId>();
  /** An activity's context; `last`: the phase's last activity, which writes the phase completed. */
  const ctx = (phase: PhaseId, last = false) => {
    const base = {
      workflowId,
      runId,
      cycleId: input.cycleId,
      reportIds: input.reportIds,
      phase,
      tracking: input.tracking,
      retryBaseMs: input.retryBaseMs,
    };
    if (!carry || !input.tracking) return base;
    const events = [...(alsoCarry.get(phase) ?? []), ...pending];
    pending = [];
    alsoCarry.delete(phase);
    carried.set(phase, [...(carried.get(phase) ?? []), ...events]);
    if (last) completesItself.add(phase);
    const starts = events.some((e) => e.kind === 'execution' && e.status === 'running');
    return {
      ...base,
      ...(events.length
        ? {
            track: {
              workflowId,
              runId,
              cycleId: input.cycleId,
              version,
              ...(starts ? { input } : {}),
              events,
            },
          }
        : {}),
      ...(last ? { completesPhase: true } : {}),
    };
  };
  const steps = humanSteps({
    validated,
    mark,
    flush,
    runningPhases: () => [...phases.values()].filter((p) => p.state === 'running').map((p) => p.phase),
  });
  const { waitingFor, rfiResponses, testResults } = steps;
  /** A phase failed for good with resume after manual intervention on: the operator decides what happens. */
  const askOperator = async (view: PhaseView, err: unknown) => {
    const failure = failureMessage(err);
    const step = view.attempts > 1 ? `operator_decision_${view.attempts}` : 'operator_decision';
    view.state = 'needs_attention';
    view.lastFailure = failure;
    const at = new Date().toISOString();
    mark({
      kind: 'phase',
      phase: view.phase,
      status: 'needs_attention',
      failure,
      hint: fixHint(failure),
      at,
    });
    mark({ kind: 'execution', status: 'needs_attention', failure });
    mark({ kind: 'step', phase: view.phase, step, status: 'waiting', at });
    waitingFor.add('operator_decision');
    await flush();
    const decision = await attention.ask({ phase: view.phase, failure });
    waitingFor.delete('operator_decision');
    mark({
      kind: 'step',
      phase: view.phase,
      step,
      status: 'done',
      detail: { ...decision },
      at: new Date().toISOString(),
    });
    mark({ kind: 'execution', status: 'resumed' });
    return decision.decision;
  };

  let previous: PhaseId | 'start' = 'start';
  /** `gate`: the phase's work waits for it once the phase is marked running (the parallel pair's start). */
  const runPhase = async (id: PhaseId, body: () => Promise<void>, gate?: Promise<void>) => {
    const view = phases.get(id)!;
    const from = previous;
    if (input.skipPhases.includes(id)) {
      view.state = 'skipped';
      mark({ kind: 'phase', phase: id, status: 'skipped', at: new Date().toISOString() });
      return;
    }
    view.state = 'running';
    view.attempts += 1;
    view.startedAt = new Date().toISOString();
    completesItself.delete(id);
    carried.delete(id);
    mark({ kind: 'transition', from, to: id });
    mark({ kind: 'phase', phase: id, status: 'running', at: new Date().toISOString() });
    // Carried by the phase's first activity, which starts right away.
    if (!carry) await flush();
    else if (gate) await gate;
    try {
      await body();
    } catch (caught) {
      // The events this phase's activities carried are written again with the failure: every write is an
      // idempotent upsert whose state only moves forward, and an activity that failed may not have written them.
      pending = [...(carried.get(id) ?? []), ...pending];
      carried.delete(id);
      let err = caught;
      if (input.waitForOperator && waitsForOperator(caught)) {
        try {
          const choice = await askOperator(view, caught);
          if (choice === 'retry') return runPhase(id, body);
          if (choice === 'skip') {
            view.state = 'skipped';
            mark({ kind: 'phase', phase: id, status: 'skipped', at: new Date().toISOString() });
            return;
          }
        } catch (whileWaiting) {
          err = whileWaiting; // cancelled while it waited
        }
      }
      view.state = 'failed';
      view.lastFailure = isCancellation(err) ? 'cancelled' : failureMessage(err);
      view.finishedAt = new Date().toISOString();
      mark({
        kind: 'phase',
        phase: id,
        status: 'failed',
        failure: view.lastFailure,
        at: new Date().toISOString(),
      });
      throw err;
    }
    view.state = 'completed';
    view.finishedAt = new Date().toISOString();
    completed.push(id);
    carried.delete(id);
    if (!completesItself.has(id))
      mark({ kind: 'phase', phase: id, status: 'completed', at: new Date().toISOString() });
  };

  try {
    mark({ kind: 'execution', status: 'running' });
    let attributes = 0;
    let samples = 0;

    await runPhase('planning', async () => {
      attributes = (await llm.generateAttributes(ctx('planning', true))).attributes;
    });
    previous = 'planning';

    await runPhase('scoping', async () => {
      await db.proposeScope(ctx('scoping'));
      if (input.autoApprove) steps.autoApprove({ approved: true, by: 'auto-approval' });
      await steps.wait('scoping', 'scope_approval', () => steps.approval !== undefined);
      const approval = steps.approval;
      if (!approval!.approved) {
        throw ApplicationFailure.nonRetryable(
          `Scope rejected by ${approval!.by}${approval!.note ? `: ${approval!.note}` : ''}`,
          'ScopeRejected',
        );
      }
      await db.recordScopeApproval(ctx('scoping', true), approval!);
    });
    previous = 'scoping';

    // Phases 3 and 4 run side by side; both settle before the cycle moves on or compensates.
    // With carried tracking both start once both are marked running, and each of their activities carries both
    // marks: whichever starts first shows the two running together, and each phase is running before it completes.
    let begin: () => void = () => undefined;
    const gate = carry ? new Promise<void>((resolve) => (begin = resolve)) : undefined;
    const together = Promise.allSettled([
      runPhase(
        'sample_selection',
        async () => {
          samples = (await db.selectSamples(ctx('sample_selection', true))).samples;
        },
        gate,
      ),
      runPhase(
        'data_owner_identification',
        async () => {
          await db.identifyDataOwners(ctx('data_owner_identification', true));
        },
        gate,
      ),
    ]);
    if (gate) {
      const marks = pending;
      pending = [];
      for (const id of ['sample_selection', 'data_owner_identification'] as const) alsoCarry.set(id, marks);
      begin();
    }
    const pair = await together;
    const pairFailure = pair.find((r) => r.status === 'rejected');
    if (pairFailure) throw pairFailure.reason;
    previous = 'data_owner_identification';
    if (!input.skipPhases.includes('sample_selection'))
      mark({ kind: 'transition', from: 'sample_selection', to: 'request_for_information' });

    await runPhase('request_for_information', async () => {
      const { rfis } = await email.sendRfis(ctx('request_for_information'));
      if (input.autoApprove) {
        for (const reportId of rfis)
          if (!rfiResponses.has(reportId))
            rfiResponses.set(reportId, { reportId, response: 'auto-approved: records provided' });
      }
      steps.openRfis(rfis);
      await steps.wait('request_for_information', 'rfi_responses', () =>
        rfis.every((r) => rfiResponses.has(r)),
      );
      await db.recordRfiResponses(
        ctx('request_for_information', true),
        rfis.map((r) => rfiResponses.get(r)!),
      );
    });
    previous = 'request_for_information';

    await runPhase('test_execution', async () => {
      // The last activity when no result is left for a tester (it writes the completion only then).
      const { pending: open } = await db.executeTests(ctx('test_execution', true), {
        autoResults: input.autoApprove,
      });
      if (open.length === 0) return;
      const covered = () =>
        testResults.some((r) => r.executionId === undefined) ||
        open.every((id) => testResults.some((r) => r.executionId === id));
      steps.openExecutions(open);
      await steps.wait('test_execution', 'test_results', covered);
      await db.recordTestResults(ctx('test_execution', true), testResults);
    });
    previous = 'test_execution';

    let observations = 0;
    await runPhase('observation_management', async () => {
      observations = (await db.createObservations(ctx('observation_management', true))).observations;
    });
    previous = 'observation_management';

    let finalReportId = 0;
    await runPhase('finalize_test_report', async () => {
      finalReportId = (await db.finalizeReport(ctx('finalize_test_report', !summarize))).finalReportId;
      if (summarize) await llm.summarizeReport(ctx('finalize_test_report', true), finalReportId);
    });
    mark({ kind: 'transition', from: 'finalize_test_report', to: 'end' });
    mark({ kind: 'execution', status: 'completed' });
    await flush();
    return {
      cycleId: input.cycleId,
      status: 'completed',
      phases: Object.fromEntries([...phases.values()].map((p) => [p.phase, p.state])),
      finalReportId,
      attributes,
      samples,
      observations,
      version,
    };
  } catch (err) {
    const cancelled = isCancellation(err);
    const reason = cancelled ? steps.cancelReason() : `a phase failed: ${failureMessage(err)}`;
    const compensationFailed = await CancellationScope.nonCancellable(async () => {
      // A cancel also undoes the interrupted phase's partial work (RFIs already sent, tests already created); with
      // the saga so does a phase that failed for good (its first activity may have done its work).
      // Only 'failed' phases are left part-way here (a cancel fails the phase it interrupts); the shared order is
      // the one the console's cancel preview shows.
      const order = workflowCompensationOrder(cancelled || saga ? [...phases.values()] : [], completed);
      if (order.length) mark({ kind: 'transition', from: order[0]!, to: 'compensation' });
      await flush();
      if (saga) {
        const chain = await runCompensationChain(
          {
            workflowId,
            runId,
            cycleId: input.cycleId,
            reason,
            retryBaseMs: input.retryBaseMs,
            activityTimeoutS: input.activityTimeoutS,
          },
          order,
          (id) => {
            phases.get(id)!.state = 'compensated';
            mark({ kind: 'phase', phase: id, status: 'compensated', at: new Date().toISOString() });
          },
        );
        for (const f of chain.failed) phases.get(f.phase)!.state = 'compensation_failed';
        const failed = chain.failed.map((f) => f.phase);
        mark({
          kind: 'execution',
          status: failed.length ? 'compensation_failed' : cancelled ? 'cancelled' : 'failed',
          failure: failed.length ? `${reason}; compensation failed for ${failed.join(', ')}` : reason,
        });
        await flush();
        return failed;
      }
      for (const id of order) {
        const def = PHASES.find((p) => p.id === id)!;
        await db.compensatePhase({
          workflowId,
          runId,
          cycleId: input.cycleId,
          phase: id,
          strategy: def.compensation,
          reason,
        });
        phases.get(id)!.state = 'compensated';
        mark({ kind: 'phase', phase: id, status: 'compensated', at: new Date().toISOString() });
      }
      mark({ kind: 'execution', status: cancelled ? 'cancelled' : 'failed', failure: reason });
      await flush();
      return [];
    });
    if (compensationFailed.length) {
      throw ApplicationFailure.nonRetryable(
        `Compensation failed for ${compensationFailed.join(', ')} after ${reason}; retry or resolve it on the Compensation page`,
        'CompensationFailed',
      );
    }
    throw err;
  }
}
