import { describe, expect, it } from 'vitest';
import { overallOf, summaryOf } from '../../../main/stack/health';
import type { ValidationCheck } from '../../../main/api/contract';

const check = (group: ValidationCheck['group'], status: ValidationCheck['status']): ValidationCheck => ({
  id: `${group}.x`,
  group,
  label: group,
  status,
  detail: '',
  durationMs: 1,
});

describe('validation verdict with an optional service off', () => {
  it('does not count a Web UI that is off and says so in the summary', () => {
    const checks = [
      check('app-postgres', 'healthy'),
      check('temporal', 'healthy'),
      check('temporal-ui', 'off'),
    ];
    const overall = overallOf(checks);
    expect(overall).toBe('healthy');
    expect(summaryOf(overall, checks)).toBe('healthy (Web UI off)');
  });

  it('still reports degraded and failed checks over an off one', () => {
    const checks = [check('temporal', 'degraded'), check('temporal-ui', 'off')];
    expect(overallOf(checks)).toBe('degraded');
    expect(overallOf([...checks, check('app-postgres', 'failed')])).toBe('failed');
    expect(summaryOf('healthy', [check('temporal', 'healthy')])).toBe('healthy');
  });
});
