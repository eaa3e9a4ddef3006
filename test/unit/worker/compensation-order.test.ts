// The order a cycle is compensated in: the workflow's own reading (which recorded histories must replay against)
// and the cancel preview's reading, made while the interrupted phases still run.
import { describe, expect, it } from 'vitest';
import type { PhaseId } from '../../../shared/phases';
import { compensationOrder, workflowCompensationOrder } from '../../../shared/workflow';

const completed: PhaseId[] = ['planning', 'scoping'];

describe('compensation order', () => {
  it('the workflow undoes a failed phase first, then the completed ones in reverse', () => {
    const phases = [
      { phase: 'planning' as PhaseId, state: 'completed' },
      { phase: 'scoping' as PhaseId, state: 'completed' },
      { phase: 'data_owner_identification' as PhaseId, state: 'failed' },
    ];
    expect(workflowCompensationOrder(phases, completed)).toEqual([
      'data_owner_identification',
      'scoping',
      'planning',
    ]);
  });

  it('the workflow leaves a parallel lane that is still running when its sibling failed for good, as it always did', () => {
    const phases = [
      { phase: 'planning' as PhaseId, state: 'completed' },
      { phase: 'scoping' as PhaseId, state: 'completed' },
      { phase: 'data_owner_identification' as PhaseId, state: 'failed' },
      { phase: 'sample_selection' as PhaseId, state: 'running' },
      { phase: 'request_for_information' as PhaseId, state: 'needs_attention' },
    ];
    expect(workflowCompensationOrder(phases, completed)).toEqual([
      'data_owner_identification',
      'scoping',
      'planning',
    ]);
  });

  it('the preview, read before the cancel fails them, counts running and waiting phases as interrupted', () => {
    const phases = [
      { phase: 'planning' as PhaseId, state: 'completed' },
      { phase: 'scoping' as PhaseId, state: 'completed' },
      { phase: 'data_owner_identification' as PhaseId, state: 'running' },
      { phase: 'sample_selection' as PhaseId, state: 'needs_attention' },
    ];
    expect(compensationOrder(phases, completed)).toEqual([
      'data_owner_identification',
      'sample_selection',
      'scoping',
      'planning',
    ]);
  });
});
