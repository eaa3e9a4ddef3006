// What a cancel or terminate will do to a cycle, from the same phase definitions and order the worker uses. Pure.
import type { CompensationPreview, CompensationStepPreview, CycleStatus, PhaseStateView } from '../api';
import { PHASES, type PhaseId } from '../../shared/phases';
import { compensationOrder } from '../../shared/workflow';

/**
 * The worker compensates, on a cancel, the interrupted phases first, then every completed phase in reverse
 * completion order: `compensationOrder` (shared/workflow.ts) is the one function both use. The completion order is
 * the workflow's own when it can be asked (`completedInOrder`); otherwise it is taken from finish times, ties
 * broken by phase number.
 */
export function compensationSteps(
  states: readonly PhaseStateView[],
  completedInOrder?: readonly PhaseId[],
): CompensationStepPreview[] {
  const def = (id: string) => PHASES.find((p) => p.id === id)!;
  const completed = states.filter((s) => s.state === 'completed');
  const known = completedInOrder?.filter((id) => completed.some((s) => s.phase === id));
  const inOrder =
    known && known.length === completed.length
      ? known
      : completed
          .sort(
            (a, b) =>
              Date.parse(a.finishedAt ?? '') - Date.parse(b.finishedAt ?? '') ||
              def(a.phase).number - def(b.phase).number,
          )
          .map((s) => s.phase);
  const order = compensationOrder(
    states.map((s) => ({ phase: s.phase as PhaseId, state: s.state })),
    inOrder,
  );
  return order.map((phase, i) => ({
    order: i + 1,
    phase,
    label: def(phase).label,
    strategy: def(phase).compensation,
    because: completed.some((s) => s.phase === phase) ? ('completed' as const) : ('interrupted' as const),
  }));
}

export function compensationPreview(
  workflowId: string,
  status: CycleStatus,
  states: readonly PhaseStateView[],
  action: 'cancel' | 'terminate',
  completedInOrder?: readonly PhaseId[],
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
  const steps = compensationSteps(states, completedInOrder);
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
        : `Cancel stops the cycle and compensates ${steps.length === 1 ? '1 phase' : `${steps.length} phases`} in this order: ${steps
            .map((s) => `${s.label} (${s.strategy.replace('_', ' ')})`)
            .join(' → ')}.`,
  };
}
