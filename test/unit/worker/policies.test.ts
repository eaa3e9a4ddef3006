// The pure parts of the worker: retry spacing per class, the rule-based generator, the phase plan.
import { describe, expect, it } from 'vitest';
import { PHASES } from '../../../shared/phases';
import { ruleBasedAttributes } from '../../../worker/activities/planning';
import { MAX_ATTEMPTS, backoffMs } from '../../../shared/workflow';

describe('retry policies', () => {
  it('gives three attempts to every class', () => {
    expect(MAX_ATTEMPTS).toBe(3);
  });

  it('backs off exponentially for LLM calls, linearly for database work and at a fixed delay for email', () => {
    const delays = (cls: 'llm' | 'database' | 'email') => [1, 2, 3].map((a) => backoffMs(cls, a, 1000));
    expect(delays('llm')).toEqual([1000, 2000, 4000]);
    expect(delays('database')).toEqual([1000, 1500, 2000]);
    expect(delays('email')).toEqual([1000, 1000, 1000]);
  });

  it('keeps the three shapes apart at the two retries a policy allows', () => {
    const second = (['llm', 'database', 'email'] as const).map(
      (c) => backoffMs(c, 2, 200) / backoffMs(c, 1, 200),
    );
    expect(new Set(second).size).toBe(3);
  });
});

describe('rule-based attribute generator', () => {
  it('labels itself and yields the same attributes for the same report', () => {
    const a = ruleBasedAttributes('FR Y-9C');
    expect(a.generator).toMatch(/rule-based/);
    expect(a).toEqual(ruleBasedAttributes('FR Y-9C'));
    expect(a.attributes.map((x) => x.code)).toEqual(['A01', 'A02', 'A03', 'A04', 'A05']);
    expect(a.attributes.every((x) => x.description.includes('FR Y-9C'))).toBe(true);
  });
});

describe('the phase plan', () => {
  it('runs 3 and 4 after scoping and joins them before 5', () => {
    const after = Object.fromEntries(PHASES.map((p) => [p.id, p.after]));
    expect(after.sample_selection).toEqual(['scoping']);
    expect(after.data_owner_identification).toEqual(['scoping']);
    expect(after.request_for_information).toEqual(['sample_selection', 'data_owner_identification']);
  });

  it('gives every phase one of the four compensation strategies', () => {
    const strategies = new Set(PHASES.map((p) => p.compensation));
    expect([...strategies].sort()).toEqual(['notify', 'partial_rollback', 'rollback', 'skip']);
  });
});
