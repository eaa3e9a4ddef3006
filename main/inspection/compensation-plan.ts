// What a cancel or terminate will do to a cycle, from the same phase definitions and order the worker uses. Pure.
import type { CompensationPreview, CompensationStepPreview, CycleStatus, PhaseStateView } from '../api';
import { PHASES } from '../../shared/phases';

/**
 * The worker compensates, on a cancel, the interrupted phases (running when the cancel lands) first, then every
 * completed phase in reverse completion order (worker/workflows/test-cycle.ts). Completion order is taken from
 * finish times, ties broken by phase number.
 */
export function compensationSteps(states: readonly PhaseStateView[]): CompensationStepPreview[] {
  const def = (id: string) => PHASES.find((p) => p.id === id)!;
  // A phase waiting for the operator (or one that failed) is undone first too: it may have done part of its work.
  const interrupted = states.filter((s) =>
    ['running', 'retrying', 'needs_attention', 'failed'].includes(s.state),
  );
  const completed = states
    .filter((s) => s.state === 'completed')
    .sort(
      (a, b) =>
        Date.parse(a.finishedAt ?? '') - Date.parse(b.finishedAt ?? '') ||
        def(a.phase).number - def(b.phase).number,
    )
    .reverse();
  return [
    ...interrupted.map((s) => ({ state: s, because: 'interrupted' as const })),
    ...completed.map((s) => ({ state: s, because: 'completed' as const })),
  ].map(({ state, because }, i) => ({
    order: i + 1,
    phase: state.phase,
    label: def(state.phase).label,
    strategy: def(state.phase).compensation,
    because,
  }));
}

export function compensationPreview(
  workflowId: string,
  status: CycleStatus,
  states: readonly PhaseStateView[],
  action: 'cancel' | 'terminate',
): CompensationPreview {
  if (status !== 'running' && status !== 'needs_attention') {
    return {
      workflowId,
      action,
      status,
      steps: [],
      summary: `The cycle is ${status}: there is nothing to ${action}.`,
    };
  }
  const steps = compensationSteps(states);
  if (action === 'terminate') {
    return {
      workflowId,
      action,
      status,
      steps: [],
      summary:
        steps.length === 0
          ? 'Terminate stops the workflow at once. No phase has done work yet, so nothing is left behind.'
          : `Terminate stops the workflow at once and runs NO compensation: the work of ${steps
              .map((s) => s.label)
              .join(', ')} stays in the app DB. Use Cancel to undo it.`,
    };
  }
  return {
    workflowId,
    action,
    status,
    steps,
    summary:
      steps.length === 0
        ? 'Cancel stops the cycle; no phase has done work yet, so nothing is compensated.'
        : `Cancel stops the cycle and compensates ${steps.length} phase${steps.length === 1 ? '' : 's'} in this order: ${steps
            .map((s) => `${s.label} (${s.strategy.replace('_', ' ')})`)
            .join(' → ')}.`,
  };
}
