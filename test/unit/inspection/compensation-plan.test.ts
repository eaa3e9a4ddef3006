import { describe, expect, it } from 'vitest';
import { compensationPreview, compensationSteps } from '../../../main/inspection/compensation-plan';
import type { PhaseStateView } from '../../../main/api/contract';
import { PHASES, type PhaseId } from '../../../shared/phases';
import { compensationOrder } from '../../../shared/workflow';

const at = (s: number) => new Date(Date.parse('2026-01-01T10:00:00Z') + s * 1000).toISOString();

function states(spec: Record<string, [PhaseStateView['state'], number?]>): PhaseStateView[] {
  return PHASES.map((p) => {
    const [state, finished] = spec[p.id] ?? ['pending'];
    return {
      phase: p.id,
      state,
      startedAt: null,
      finishedAt: finished === undefined ? null : at(finished),
      durationMs: null,
      activeMs: null,
      waitingMs: null,
      waitingFor: null,
      waitingSince: null,
      attempts: 0,
      maxAttempts: 3,
      nextRetryAt: null,
      lastFailure: null,
      eta: null,
    };
  });
}

describe('compensation preview', () => {
  it('compensates the interrupted phase first, then completed phases in reverse completion order', () => {
    const steps = compensationSteps(
      states({
        planning: ['completed', 1],
        scoping: ['completed', 2],
        sample_selection: ['completed', 4],
        data_owner_identification: ['completed', 3],
        request_for_information: ['running'],
      }),
    );
    expect(steps.map((s) => [s.phase, s.strategy, s.because])).toEqual([
      ['request_for_information', 'notify', 'interrupted'],
      ['sample_selection', 'rollback', 'completed'],
      ['data_owner_identification', 'partial_rollback', 'completed'],
      ['scoping', 'notify', 'completed'],
      ['planning', 'rollback', 'completed'],
    ]);
    expect(steps.map((s) => s.order)).toEqual([1, 2, 3, 4, 5]);
  });

  it('follows the order the workflow completed its phases in when the finish times tie', () => {
    const tied = states({
      planning: ['completed', 1],
      scoping: ['completed', 2],
      sample_selection: ['completed', 3],
      data_owner_identification: ['completed', 3],
      request_for_information: ['running'],
    });
    const ran = ['planning', 'scoping', 'data_owner_identification', 'sample_selection'] as const;
    expect(compensationSteps(tied, [...ran]).map((s) => s.phase)).toEqual([
      'request_for_information',
      'sample_selection',
      'data_owner_identification',
      'scoping',
      'planning',
    ]);
    // The same order the workflow computes from the same function.
    expect(compensationSteps(tied, [...ran]).map((s) => s.phase)).toEqual(
      compensationOrder(
        tied.map((t) => ({ phase: t.phase as PhaseId, state: t.state })),
        [...ran],
      ),
    );
    // Without the workflow's answer, ties fall back to phase order.
    expect(
      compensationSteps(tied)
        .map((s) => s.phase)
        .slice(1, 3),
    ).toEqual(['data_owner_identification', 'sample_selection']);
  });

  it('leaves skipped, pending and already compensated phases out', () => {
    const steps = compensationSteps(
      states({ planning: ['completed', 1], scoping: ['skipped'], sample_selection: ['compensated', 2] }),
    );
    expect(steps.map((s) => s.phase)).toEqual(['planning']);
  });

  it('says a terminate runs no compensation and names the work left behind', () => {
    const preview = compensationPreview('w', 'running', states({ planning: ['completed', 1] }), 'terminate');
    expect(preview.steps).toEqual([]);
    expect(preview.summary).toContain('NO compensation');
    expect(preview.summary).toContain('Planning');
  });

  it('offers nothing for a cycle that has already ended', () => {
    const preview = compensationPreview('w', 'completed', states({ planning: ['completed', 1] }), 'cancel');
    expect(preview.steps).toEqual([]);
    expect(preview.summary).toContain('nothing to cancel');
  });
});
