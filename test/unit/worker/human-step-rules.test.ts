import { describe, expect, it } from 'vitest';
import { batchStep } from '../../../main/temporal/human-steps';
import { stepRefusal, waitingMessage, type HumanStepState } from '../../../shared/human-step-rules';

const base: HumanStepState = {
  waitingFor: null,
  running: [],
  decided: null,
  rfis: [],
  openRfis: [],
  executions: [],
  openExecutions: [],
};
const atRfis: HumanStepState = { ...base, waitingFor: 'rfi_responses', rfis: [1, 2, 3], openRfis: [2, 3] };
const atResults: HumanStepState = {
  ...base,
  waitingFor: 'test_results',
  executions: [10, 11, 12],
  openExecutions: [11, 12],
};

describe('when a human step is accepted', () => {
  it('refuses a step sent in another phase, saying what the cycle waits for and where the step belongs', () => {
    expect(
      stepRefusal(atRfis, {
        step: 'test_results',
        payload: { by: 'qa', results: [{ executionId: 1, result: 'pass' }] },
      }),
    ).toBe(
      'this cycle is waiting for RFI answers from reports 2 and 3; test results are accepted in Test Execution',
    );
    expect(
      stepRefusal(
        { ...base, running: ['sample_selection', 'data_owner_identification'] },
        {
          step: 'scope_approval',
          payload: { approved: true, by: 'qa' },
        },
      ),
    ).toBe(
      'this cycle is not waiting for a person (it is in Sample Selection and Data Owner Identification); a scope approval is accepted in Scoping',
    );
  });

  it('accepts only RFIs that exist and are still open, with an answer', () => {
    const answer = (reportId: number, response = 'ok') => ({
      step: 'rfi_responses' as const,
      payload: { by: 'qa', answers: [{ reportId, response }] },
    });
    expect(stepRefusal(atRfis, answer(2))).toBeUndefined();
    expect(stepRefusal(atRfis, answer(9))).toMatch(/^report 9 has no RFI in this cycle/);
    expect(stepRefusal(atRfis, answer(1))).toMatch(/^the RFI of report 1 is already answered/);
    expect(stepRefusal(atRfis, answer(2, '  '))).toBe('the answer for report 2 is empty');
    expect(stepRefusal(atRfis, { step: 'rfi_responses', payload: { by: ' ', answers: [] } })).toMatch(
      /who decides/,
    );
  });

  it('accepts only executions that exist and have no result yet, each once', () => {
    const results = (...ids: number[]) => ({
      step: 'test_results' as const,
      payload: {
        by: 'tester',
        results: ids.map((executionId) => ({ executionId, result: 'pass' as const })),
      },
    });
    expect(stepRefusal(atResults, results(11, 12))).toBeUndefined();
    expect(stepRefusal(atResults, results(99))).toMatch(/^execution 99 does not exist in this cycle/);
    expect(stepRefusal(atResults, results(10))).toMatch(/^execution 10 already has a result/);
    expect(stepRefusal(atResults, results(11, 11))).toMatch(/^execution 11 already has a result/);
    expect(stepRefusal(atResults, results())).toBe('give at least one result');
  });

  it('accepts one scope decision only', () => {
    const scope = { ...base, waitingFor: 'scope_approval' as const };
    const approve = { step: 'scope_approval' as const, payload: { approved: true, by: 'qa' } };
    expect(stepRefusal(scope, approve)).toBeUndefined();
    expect(stepRefusal({ ...scope, decided: true }, approve)).toBe('the scope is already approved');
  });

  it('names one report or execution in the singular', () => {
    expect(waitingMessage({ ...atRfis, openRfis: [3] })).toBe(
      'this cycle is waiting for RFI answers from report 3',
    );
  });

  it('makes a batch action into each cycle’s own step: every RFI or execution still open', () => {
    expect(batchStep('testResult', { result: 'pass' }, atResults)).toEqual({
      step: 'test_results',
      payload: {
        by: 'operator (batch)',
        results: [
          { executionId: 11, result: 'pass' },
          { executionId: 12, result: 'pass' },
        ],
      },
    });
    expect(batchStep('rfiResponse', { response: 'ok', by: 'qa' }, atRfis).payload).toEqual({
      by: 'qa',
      answers: [
        { reportId: 2, response: 'ok' },
        { reportId: 3, response: 'ok' },
      ],
    });
  });
});
