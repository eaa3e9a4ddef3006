import { describe, expect, it } from 'vitest';
import { bucketMiddleMs, bucketOf, histogramPercentiles } from '../../../main/inspection/histogram';

describe('duration histogram percentiles', () => {
  it('places a duration in a bucket whose middle is within about 5 % of it', () => {
    for (const ms of [12, 250, 1_000, 42_000, 3_600_000]) {
      const mid = bucketMiddleMs(bucketOf(ms));
      expect(Math.abs(mid - ms) / ms).toBeLessThan(0.05);
    }
  });

  it('reads p50, p90 and p99 by nearest rank from bucket counts', () => {
    const durations = Array.from({ length: 1000 }, (_, i) => (i + 1) * 10);
    const counts = new Map<number, number>();
    for (const d of durations) counts.set(bucketOf(d), (counts.get(bucketOf(d)) ?? 0) + 1);
    const [p50, p90, p99] = histogramPercentiles(
      [...counts].map(([bucket, count]) => ({ bucket, count })),
      [0.5, 0.9, 0.99],
    );
    expect(Math.abs(p50! - 5000) / 5000).toBeLessThan(0.06);
    expect(Math.abs(p90! - 9000) / 9000).toBeLessThan(0.06);
    expect(Math.abs(p99! - 9900) / 9900).toBeLessThan(0.06);
  });

  it('answers zeros for an empty histogram', () => {
    expect(histogramPercentiles([], [0.5, 0.9])).toEqual([0, 0]);
  });
});
