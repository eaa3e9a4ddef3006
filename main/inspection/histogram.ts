// Percentiles from the log-scale duration histogram kept by migration 0002 (bucket b ≈ exp((b+0.5)/20) - 1 ms). Pure.

export const BUCKETS_PER_E = 20;

export function bucketOf(ms: number): number {
  return Math.floor(Math.log(Math.max(ms, 0) + 1) * BUCKETS_PER_E);
}

export function bucketMiddleMs(bucket: number): number {
  return Math.exp((bucket + 0.5) / BUCKETS_PER_E) - 1;
}

/** Nearest-rank percentiles (0..1) over bucket counts; each reported as its bucket's middle, in whole ms. */
export function histogramPercentiles(
  buckets: ReadonlyArray<{ bucket: number; count: number }>,
  ps: readonly number[],
): number[] {
  const sorted = [...buckets].filter((b) => b.count > 0).sort((a, b) => a.bucket - b.bucket);
  const total = sorted.reduce((n, b) => n + b.count, 0);
  if (total === 0) return ps.map(() => 0);
  return ps.map((p) => {
    const rank = Math.max(1, Math.ceil(p * total));
    let seen = 0;
    for (const b of sorted) {
      seen += b.count;
      if (seen >= rank) return Math.round(bucketMiddleMs(b.bucket));
    }
    return Math.round(bucketMiddleMs(sorted.at(-1)!.bucket));
  });
}
