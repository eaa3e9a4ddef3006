import { describe, expect, it } from 'vitest';
import {
  derivePhaseStates,
  joinWaitingFor,
  type PhaseStatesInput,
} from '../../../main/inspection/phase-states';
import { PHASE_IDS } from '../../../shared/phases';

const T0 = '2026-01-01T10:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();

function input(patch: Partial<PhaseStatesInput> = {}): PhaseStatesInput {
  return {
    executionStatus: 'running',
    phases: [],
    activities: [],
    retryLog: [],
    stats: {},
    maxAttempts: 3,
    skipPhases: [],
    ...patch,
  };
}

const row = (
  phase: string,
  status: string,
  startS?: number,
  endS?: number,
  failure: string | null = null,
) => ({
  phase,
  status,
  startedAt: startS === undefined ? null : at(startS),
  finishedAt: endS === undefined ? null : at(endS),
  durationMs: startS !== undefined && endS !== undefined ? (endS - startS) * 1000 : null,
  failure,
});

describe('tracking rows → phase states', () => {
  it('shows every phase pending, in definition order, before anything is tracked', () => {
    const states = derivePhaseStates(input());
    expect(states.map((s) => s.phase)).toEqual([...PHASE_IDS]);
    expect(new Set(states.map((s) => s.state))).toEqual(new Set(['pending']));
  });

  it('takes each phase row state, its times and duration', () => {
    const states = derivePhaseStates(
      input({ phases: [row('planning', 'completed', 0, 4), row('scoping', 'running', 4)] }),
    );
    expect(states[0]).toMatchObject({ state: 'completed', durationMs: 4000, startedAt: at(0) });
    expect(states[1]).toMatchObject({ state: 'running', durationMs: null });
  });

  it('marks a running phase whose current activity failed and will retry as retrying, with the next retry time', () => {
    const states = derivePhaseStates(
      input({
        phases: [row('planning', 'running', 0)],
        activities: [
          {
            activityId: 'generateAttributes:1',
            phase: 'planning',
            status: 'retrying',
            attempts: 2,
            firstStartedAt: at(0),
          },
        ],
        retryLog: [
          {
            activityId: 'generateAttributes:1',
            attempt: 2,
            maxAttempts: 3,
            error: 'LLM timed out',
            backoffMs: 400,
            exhausted: false,
            failedAt: at(3),
          },
        ],
      }),
    );
    expect(states[0]).toMatchObject({
      state: 'retrying',
      attempts: 2,
      maxAttempts: 3,
      nextRetryAt: new Date(Date.parse(at(3)) + 400).toISOString(),
      lastFailure: 'LLM timed out',
    });
  });

  it('gives a running phase an ETA from its past p50 and p90', () => {
    const states = derivePhaseStates(
      input({ phases: [row('planning', 'running', 0)], stats: { planning: { p50: 2000, p90: 5000 } } }),
    );
    expect(states[0]!.eta).toEqual({ p50At: at(2), p90At: at(5) });
    const done = derivePhaseStates(
      input({ phases: [row('planning', 'completed', 0, 1)], stats: { planning: { p50: 2000, p90: 5000 } } }),
    );
    expect(done[0]!.eta).toBeNull();
  });

  it('shows requested skips as skipped even before the worker writes them', () => {
    const states = derivePhaseStates(input({ skipPhases: ['observation_management'] }));
    expect(states.find((s) => s.phase === 'observation_management')!.state).toBe('skipped');
  });

  it('shows the running phase of a terminated cycle as stopped', () => {
    const states = derivePhaseStates(
      input({
        executionStatus: 'terminated',
        phases: [row('planning', 'completed', 0, 1), row('scoping', 'running', 1)],
      }),
    );
    expect(states[1]).toMatchObject({ state: 'failed', lastFailure: 'stopped: the cycle was terminated' });
  });
});

describe('the join before phase 5', () => {
  const with34 = (a: string, b: string) =>
    derivePhaseStates(
      input({
        phases: [
          row('planning', 'completed', 0, 1),
          row('scoping', 'completed', 1, 2),
          row('sample_selection', a, 2, a === 'completed' ? 3 : undefined),
          row('data_owner_identification', b, 2, b === 'completed' ? 3 : undefined),
          row('request_for_information', 'pending'),
        ],
      }),
    );

  it('names the branch it still waits for', () => {
    expect(joinWaitingFor(with34('completed', 'running'))).toEqual(['data_owner_identification']);
    expect(joinWaitingFor(with34('running', 'running'))).toEqual([
      'sample_selection',
      'data_owner_identification',
    ]);
  });

  it('waits for nothing once both branches are done or before either started', () => {
    expect(joinWaitingFor(with34('completed', 'completed'))).toEqual([]);
    expect(joinWaitingFor(derivePhaseStates(input()))).toEqual([]);
  });
});
