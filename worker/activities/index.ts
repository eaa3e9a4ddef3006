// The worker's activities, bound to their dependencies. The workflow sees only their types.
import type { TrackBatch } from '../../shared/workflow';
import type { ActivityDeps } from './context';
import {
  compensatePhase,
  recordCompensationFailure,
  type CompensationFailure,
  type CompensationRequest,
} from './compensation';
import { phaseActivities } from './phases';
import { track } from './tracking';

export function createActivities(deps: ActivityDeps) {
  return {
    ...phaseActivities(deps),
    compensatePhase: (req: CompensationRequest) => compensatePhase(deps, req),
    recordCompensationFailure: (f: CompensationFailure) => recordCompensationFailure(deps, f),
    track: (batch: TrackBatch) => track(deps, batch),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps } from './context';
export type { CompensationRequest } from './compensation';
export type { PhaseCall } from './phases';
