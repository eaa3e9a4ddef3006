// The open cycle's phase states as pushed events move them: a frame's events applied to the shown view at once, and
// a read of the phases reconciled with the events that came after it was asked. A phase's state only moves forward
// (PHASE_STATE_RANK): an event or a read that would move one back is left out. Pure.
import type { PhaseStatesView, PhaseStateView, WorkflowProgressEvent } from '../../../main/api/contract';
import { PHASE_STATE_RANK, phaseStateMoves } from '../../../shared/phases';

/** A phase's new state, as a tracking write's event names it. */
export interface PhaseMark {
  phase: PhaseStateView['phase'];
  state: PhaseStateView['state'];
}

/** The phase state a progress event names (a `workflow_phases` write, `phase:<state>`), if it names one. */
export function phaseMarkOf(event: WorkflowProgressEvent): PhaseMark | undefined {
  const [kind, state] = event.kind.split(':');
  if (event.table !== 'workflow_phases' || kind !== 'phase' || !event.phase || !state) return undefined;
  if (!(state in PHASE_STATE_RANK)) return undefined;
  return { phase: event.phase, state: state as PhaseMark['state'] };
}

/** Whether a phase shown in `shown` may show `next` (the same state, or one further along). */
const mayShow = (shown: string | undefined, next: string) =>
  shown === undefined || shown === next || phaseStateMoves(shown, next);

/**
 * `view` with the marks applied in order, as one new view: the phases they change get new objects, the others
 * keep theirs (the graph redraws only what changed); `view` itself when nothing changed. A phase moves at most once
 * per view: a second move of the same phase (running, then completed, in one frame) and the marks of that phase
 * after it are `deferred` to the next frame, so every state a phase passes through is drawn (two parallel phases
 * show running together even when one ends at once). `taken`: the marks applied, and those repeating the state
 * shown; a mark that would move a phase back (a retried write repeating a state the phase has passed) is in neither.
 */
export function applyPhaseMarks<T extends PhaseStatesView>(
  view: T,
  marks: readonly PhaseMark[],
): { view: T; taken: PhaseMark[]; deferred: PhaseMark[] } {
  const states = new Map(view.phases.map((p) => [p.phase, p.state as string]));
  const moved = new Set<string>();
  const waiting = new Set<string>();
  const taken: PhaseMark[] = [];
  const deferred: PhaseMark[] = [];
  for (const mark of marks) {
    const shown = states.get(mark.phase);
    if (waiting.has(mark.phase) || (moved.has(mark.phase) && shown !== mark.state)) {
      waiting.add(mark.phase);
      deferred.push(mark);
      continue;
    }
    if (!mayShow(shown, mark.state)) continue;
    taken.push(mark);
    if (shown === undefined || shown === mark.state) continue;
    states.set(mark.phase, mark.state);
    moved.add(mark.phase);
  }
  let changed = false;
  const phases = view.phases.map((p) => {
    const state = states.get(p.phase) as PhaseStateView['state'];
    if (state === p.state) return p;
    changed = true;
    return { ...p, state };
  });
  return { view: changed ? { ...view, phases } : view, taken, deferred };
}

/**
 * A read of the phases with the states of events newer than the read laid over it (the read may have been answered
 * before their writes), each only where it moves the phase forward: the read is the database's word, and the
 * database never moves a phase back either.
 */
export function withNewerMarks<T extends PhaseStatesView>(
  read: T,
  newer: ReadonlyMap<string, PhaseMark['state']>,
): T {
  if (newer.size === 0) return read;
  let changed = false;
  const phases = read.phases.map((p) => {
    const state = newer.get(p.phase);
    if (state === undefined || state === p.state || !phaseStateMoves(p.state, state)) return p;
    changed = true;
    return { ...p, state };
  });
  return changed ? { ...read, phases } : read;
}
