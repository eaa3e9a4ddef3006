// The pure parts of the stack's status: the start's step list, and the overall state its services add up to.
import type { ServiceStatus, StackState, StartStep } from '../api';

/** The step list with one step moved to a state (its start or finish time stamped). */
export function withStep(
  steps: StartStep[],
  id: string,
  state: StartStep['state'],
  detail?: string,
): StartStep[] {
  const now = new Date().toISOString();
  return steps.map((s) =>
    s.id === id
      ? {
          ...s,
          state,
          detail,
          startedAt: state === 'running' ? now : s.startedAt,
          finishedAt: state === 'running' ? undefined : now,
        }
      : s,
  );
}

/** The overall state the services add up to; a start or stop under way keeps its own. */
export function overallState(current: StackState, services: ServiceStatus[]): StackState {
  if (current === 'starting' || current === 'stopping') return current;
  const up = services.filter((s) => s.state === 'running').length;
  const expected = services.filter((s) => s.state !== 'disabled').length;
  if (up === 0) return current === 'failed' ? 'failed' : 'stopped';
  if (up === expected) return 'running';
  return 'degraded';
}
