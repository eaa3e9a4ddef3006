// Live re-reads paced by how long they take: the next one waits at least as long as the last one took, so on a busy
// stack a view never spends more than half its time reading, and leaves the machine to the cycles it shows.

export interface ReadPacing {
  /** How long to wait before the next re-read. */
  wait(): number;
  /** `reads`, timed: the wait after them is at least as long as they took. */
  timed<T>(reads: Promise<T>): Promise<T>;
}

/** Pacing with `minMs` as the shortest wait. */
export function readPacing(minMs: number): ReadPacing {
  let lastMs = 0;
  return {
    wait: () => Math.max(minMs, lastMs),
    timed(reads) {
      const began = performance.now();
      return reads.finally(() => (lastMs = performance.now() - began));
    },
  };
}
