import { describe, expect, it } from 'vitest';
import {
  bucketsWithRuns,
  hiddenPercentilesNote,
  percentileRows,
  percentileShown,
  phaseAxisLabel,
  trendSeries,
} from '../../../renderer/src/inspection/metrics-charts';
import type { MetricsView } from '../../../main/api/contract';

const stat = (phase: string, version: number, count: number, p50: number, p90: number, p99: number) => ({
  phase,
  version,
  count,
  p50,
  p90,
  p99,
  meanActiveMs: p50,
  meanWaitingMs: 0,
});

describe('which percentiles a sample supports', () => {
  it('shows p50 for any run, p90 from 10 runs and p99 from 100', () => {
    expect([percentileShown('p50', 1), percentileShown('p90', 9), percentileShown('p90', 10)]).toEqual([
      true,
      false,
      true,
    ]);
    expect([percentileShown('p99', 99), percentileShown('p99', 100), percentileShown('p50', 0)]).toEqual([
      false,
      true,
      false,
    ]);
  });

  it('hides p90 and p99 of six runs, which would only repeat the slowest run, and says why', () => {
    const view = { durations: [stat('planning', 2, 6, 1000, 2000, 2000)] } as unknown as MetricsView;
    const [row] = percentileRows(view);
    expect(row).toMatchObject({ phase: 'planning', samples: 6, p50: 1, p90: null, p99: null });
    expect(hiddenPercentilesNote([6])).toBe(
      'p90 needs ≥ 10 runs of a phase, p99 needs ≥ 100: hidden where there are fewer (runs under each phase).',
    );
    expect(hiddenPercentilesNote([150])).toBe('');
  });

  it('merges versions weighted by their runs', () => {
    const view = {
      durations: [stat('scoping', 1, 30, 1000, 3000, 5000), stat('scoping', 2, 10, 3000, 5000, 9000)],
    } as unknown as MetricsView;
    expect(percentileRows(view)[0]).toMatchObject({ samples: 40, p50: 1.5, p90: 3.5, p99: null });
  });
});

describe('phase labels on the x-axis', () => {
  it('names the phase in full, wrapped on words, with its runs', () => {
    expect(phaseAxisLabel('data_owner_identification', 6)).toBe('4. Data Owner\nIdentification\nn = 6');
    expect(phaseAxisLabel('planning')).toBe('1. Planning');
  });
});

describe('trend buckets over the chosen range', () => {
  const now = new Date('2026-11-30T12:00:00Z');
  const trends = [
    { at: '2026-11-24', phase: 'planning', p50: 1000, count: 2 },
    { at: '2026-11-30', phase: 'planning', p50: 3000, count: 2 },
  ];

  it('has every day of a 7-day range, empty days as gaps', () => {
    const s = trendSeries(trends, 7, now);
    expect(s.bucket).toBe('day');
    expect(s.buckets).toEqual([
      '2026-11-24',
      '2026-11-25',
      '2026-11-26',
      '2026-11-27',
      '2026-11-28',
      '2026-11-29',
      '2026-11-30',
    ]);
    expect(s.phases[0]!.values).toEqual([1, null, null, null, null, null, 3]);
    expect(bucketsWithRuns(s)).toBe(2);
  });

  it('buckets a long range by week (from Monday), weighting each day by its runs', () => {
    const long = [
      { at: '2026-09-01', phase: 'planning', p50: 1000, count: 1 },
      { at: '2026-11-23', phase: 'planning', p50: 1000, count: 3 },
      { at: '2026-11-24', phase: 'planning', p50: 5000, count: 1 },
    ];
    const s = trendSeries(long, undefined, now);
    expect(s.bucket).toBe('week');
    expect(s.buckets[0]).toBe('2026-08-31');
    expect(s.buckets.at(-1)).toBe('2026-11-30');
    expect(s.phases[0]!.values[s.buckets.indexOf('2026-11-23')]).toBe(2);
    expect(s.phases[0]!.samples[s.buckets.indexOf('2026-11-23')]).toBe(4);
  });

  it('has every hour of the last day, labelled by the hour, the date at the first and at midnight', () => {
    const hourly = [
      { at: '2026-11-29T23:00:00.000Z', phase: 'planning', p50: 2000, count: 1 },
      { at: '2026-11-30T11:00:00.000Z', phase: 'planning', p50: 4000, count: 3 },
      { at: '2026-11-30T11:00:00.000Z', phase: 'scoping', p50: 1000, count: 1 },
    ];
    const s = trendSeries(hourly, 1, new Date('2026-11-30T12:20:00Z'), 'hour');
    expect(s.bucket).toBe('hour');
    expect(s.buckets).toHaveLength(24);
    expect(s.buckets[0]).toBe('2026-11-29T13:00:00.000Z');
    expect(s.buckets.at(-1)).toBe('2026-11-30T12:00:00.000Z');
    const at = (iso: string) => s.buckets.indexOf(iso);
    expect(s.phases.map((p) => p.phase)).toEqual(['planning', 'scoping']);
    expect(s.phases[0]!.values[at('2026-11-29T23:00:00.000Z')]).toBe(2);
    expect(s.phases[0]!.values[at('2026-11-30T11:00:00.000Z')]).toBe(4);
    expect(s.phases[0]!.samples[at('2026-11-30T11:00:00.000Z')]).toBe(3);
    expect(s.phases[0]!.values[at('2026-11-30T10:00:00.000Z')]).toBeNull();
    expect(bucketsWithRuns(s)).toBe(2);
    // Local time on the axis: with the machine's zone the labels say the same hours.
    const first = new Date(s.buckets[0]!);
    expect(s.labels[0]).toBe(
      `${String(first.getMonth() + 1).padStart(2, '0')}-${String(first.getDate()).padStart(2, '0')} ${String(first.getHours()).padStart(2, '0')}:00`,
    );
    expect(s.labels[1]).toMatch(/^\d\d:00$|^\d\d-\d\d 00:00$/);
  });

  it('is no trend when all runs fall in one bucket', () => {
    expect(bucketsWithRuns(trendSeries([trends[1]!], 1, now))).toBe(1);
    expect(bucketsWithRuns(trendSeries([], 30, now))).toBe(0);
  });
});
