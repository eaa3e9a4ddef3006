import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_VIEW,
  formatWorkflowsView,
  parseWorkflowsView,
  rangeProblem,
  workflowsHash,
  type WorkflowsView,
} from '../../../renderer/src/inspection/view-url';
import { PHASES } from '../../../shared/phases';

const full: WorkflowsView = {
  filter: {
    status: ['running', 'failed'],
    phase: 'scoping',
    version: 3,
    text: 'owner & co',
    from: '2026-11-01T08:00:00.000Z',
    to: '2026-11-02T18:30:00.000Z',
  },
  sort: 'duration',
  dir: 'asc',
  open: 'test-cycle-7001',
  phase: 'sample_selection',
  history: 'ActivityTaskFailed',
};

describe('the Workflows view in the address', () => {
  it('gives a plain address for the default view', () => {
    expect(formatWorkflowsView(DEFAULT_VIEW)).toBe('');
    expect(workflowsHash(DEFAULT_VIEW)).toBe('#/workflows');
    expect(parseWorkflowsView('')).toEqual(DEFAULT_VIEW);
  });

  it('reads back every part it wrote: filters, sort, open cycle, selected phase, history search', () => {
    const query = formatWorkflowsView(full);
    expect(query).toContain('open=test-cycle-7001');
    expect(query).toContain('drawer=sample_selection');
    expect(parseWorkflowsView(query)).toEqual(full);
    expect(parseWorkflowsView(`?${query}`)).toEqual(full);
  });

  it('round-trips any view made of valid parts', () => {
    const phaseIds = PHASES.map((p) => p.id);
    const iso = fc
      .integer({ min: Date.parse('2000-01-01'), max: Date.parse('2100-01-01') })
      .map((ms) => new Date(ms).toISOString());
    const view = fc.record({
      filter: fc.record(
        {
          status: fc.uniqueArray(fc.constantFrom('running', 'completed', 'failed', 'cancelled' as const), {
            maxLength: 4,
          }),
          phase: fc.constantFrom(...phaseIds),
          version: fc.integer({ min: 1, max: 9 }),
          text: fc.string({ maxLength: 40 }),
          from: iso,
          to: iso,
        },
        { requiredKeys: ['status', 'text'] },
      ),
      sort: fc.constantFrom('started', 'duration', 'retries', 'cycle' as const),
      dir: fc.constantFrom('asc', 'desc' as const),
      open: fc.string({ minLength: 1, maxLength: 30 }),
      phase: fc.constantFrom(...phaseIds),
      history: fc.string({ minLength: 1, maxLength: 30 }),
    });
    fc.assert(
      fc.property(view, (v) => {
        expect(parseWorkflowsView(formatWorkflowsView(v as WorkflowsView))).toEqual(v);
      }),
    );
  });

  it('ignores what it does not understand and keeps the rest', () => {
    const view = parseWorkflowsView(
      'status=running,bogus&phase=nowhere&version=-2&from=yesterday&to=2026-11-02T18:30:00Z&sort=size&dir=up&open=c-1&drawer=nope',
    );
    expect(view).toEqual({
      filter: { status: ['running'], text: '', to: '2026-11-02T18:30:00.000Z' },
      sort: 'started',
      dir: 'desc',
      open: 'c-1',
    });
  });

  it('keeps a selected phase and a history search only with an open cycle', () => {
    expect(parseWorkflowsView('drawer=scoping&history=x')).toEqual(DEFAULT_VIEW);
    expect(formatWorkflowsView({ ...DEFAULT_VIEW, phase: 'scoping', history: 'x' })).toBe('');
  });

  it('says what is wrong with a range that starts after it ends', () => {
    expect(rangeProblem('2026-11-02T00:00:00Z', '2026-11-01T00:00:00Z')).toMatch(/starts after it ends/);
    expect(rangeProblem('2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')).toBeUndefined();
    expect(rangeProblem(undefined, '2026-11-01T00:00:00Z')).toBeUndefined();
  });
});
