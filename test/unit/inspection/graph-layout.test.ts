import { describe, expect, it } from 'vitest';
import { graphSpec, joinId, layoutGraph } from '../../../renderer/src/inspection/graph-layout';
import { PHASES, type PhaseDefinition } from '../../../shared/phases';

describe('phase graph layout input', () => {
  it('has the 8 phases, one join before phase 5 fed by phases 3 and 4, and no other joins', () => {
    const spec = graphSpec();
    expect(spec.nodes.filter((n) => n.kind === 'phase').map((n) => n.id)).toEqual(PHASES.map((p) => p.id));
    const joins = spec.nodes.filter((n) => n.kind === 'join');
    expect(joins.map((j) => j.joins)).toEqual([
      { into: 'request_for_information', from: ['sample_selection', 'data_owner_identification'] },
    ]);
    const into = (id: string) => spec.edges.filter((e) => e.target === id).map((e) => e.source);
    expect(into(joinId('request_for_information')).sort()).toEqual([
      'data_owner_identification',
      'sample_selection',
    ]);
    expect(into('request_for_information')).toEqual([joinId('request_for_information')]);
    expect(into('sample_selection')).toEqual(['scoping']);
  });

  it('keeps a skipped phase on the graph with its edges marked skipped', () => {
    const spec = graphSpec(['observation_management']);
    expect(spec.nodes.find((n) => n.id === 'observation_management')!.skipped).toBe(true);
    expect(
      spec.edges
        .filter((e) => e.skipped)
        .map((e) => e.id)
        .sort(),
    ).toEqual(['observation_management->finalize_test_report', 'test_execution->observation_management']);
  });

  it('draws another version of the definition as it is (a phase without a join)', () => {
    const linear: PhaseDefinition[] = PHASES.map((p, i) => ({
      ...p,
      after: i === 0 ? [] : [PHASES[i - 1]!.id],
    }));
    expect(graphSpec([], linear).nodes.some((n) => n.kind === 'join')).toBe(false);
  });
});

describe('phase graph positions', () => {
  it('puts the parallel phases in two lanes at the same depth, left to right in phase order otherwise', () => {
    const nodes = layoutGraph(graphSpec());
    const pos = (id: string) => nodes.find((n) => n.id === id)!;
    expect(pos('sample_selection').x).toBe(pos('data_owner_identification').x);
    expect(pos('sample_selection').y).not.toBe(pos('data_owner_identification').y);
    const chain = [
      'planning',
      'scoping',
      'sample_selection',
      joinId('request_for_information'),
      'request_for_information',
      'finalize_test_report',
    ];
    for (let i = 1; i < chain.length; i++) expect(pos(chain[i]!).x).toBeGreaterThan(pos(chain[i - 1]!).x);
  });
});
