// The pure parts of point-in-time recovery: segment names, following the archive across timelines, the plan.
import { describe, expect, it } from 'vitest';
import { parseSegment, reachFrom, segmentName, type Segment } from '../../../main/stack/pitr/wal';
import { planCluster } from '../../../main/recovery/plan';
import type { BaseBackup } from '../../../main/stack/pitr/base-backup';

const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 14, 0, s));
function seg(timeline: number, position: number, second: number): Segment {
  return {
    name: segmentName(timeline, position),
    timeline,
    position,
    archivedAt: at(second),
    bytes: 16 << 20,
  };
}
const backup = (startPosition: number, finishedSecond: number): BaseBackup => ({
  cluster: 'app-postgres',
  dir: '/x',
  label: `b${startPosition}`,
  startWal: segmentName(1, startPosition),
  startedAt: at(finishedSecond - 1).toISOString(),
  finishedAt: at(finishedSecond).toISOString(),
  bytes: 1,
});

describe('WAL segment names', () => {
  it('round-trips timeline and position, across the 256-segments-per-log boundary', () => {
    expect(segmentName(1, 0x1ff)).toBe('0000000100000001000000FF');
    expect(parseSegment('000000020000000100000000')).toEqual({ timeline: 2, position: 0x100 });
    expect(parseSegment('00000001000000010000000A.partial')).toBeUndefined();
  });
});

describe('following the archive', () => {
  it('stops at the first hole and names it', () => {
    const reach = reachFrom([seg(1, 2, 1), seg(1, 3, 2), seg(1, 5, 4)], segmentName(1, 2));
    expect(reach.last?.position).toBe(3);
    expect(reach.gapAt).toBe(segmentName(1, 4));
  });

  it('moves onto a newer timeline and no longer accepts the old one after the switch', () => {
    // Timeline 2 begins at position 4; a stray timeline-1 segment at 6 cannot fill timeline 2's hole.
    const segments = [seg(1, 3, 1), seg(1, 4, 2), seg(2, 4, 3), seg(2, 5, 4), seg(1, 6, 5), seg(2, 7, 6)];
    const reach = reachFrom(segments, segmentName(1, 3));
    expect(reach.last?.name).toBe(segmentName(2, 5));
    expect(reach.gapAt).toBe(segmentName(2, 6));
  });
});

describe('planning a recovery', () => {
  const segments = [seg(1, 2, 10), seg(1, 3, 20), seg(1, 4, 30)];

  it('accepts a moment covered by a base backup and an unbroken archive', () => {
    const plan = planCluster('app-postgres', at(25), [backup(2, 5)], segments);
    expect(plan).toMatchObject({ ok: true, baseBackup: { label: 'b2' } });
  });

  it('refuses a moment before the oldest base backup, naming the oldest recoverable moment', () => {
    const plan = planCluster('app-postgres', at(3), [backup(2, 5)], segments);
    expect(plan.ok).toBe(false);
    expect(plan.reason).toContain(at(5).toISOString());
  });

  it('refuses a moment the archive has not reached yet', () => {
    const plan = planCluster('app-postgres', at(40), [backup(2, 5)], segments);
    expect(plan.reason).toMatch(/not archived yet/);
  });

  it('refuses a moment behind a hole in the archive', () => {
    const plan = planCluster('app-postgres', at(40), [backup(2, 5)], [...segments, seg(1, 6, 50)]);
    expect(plan.reason).toContain(segmentName(1, 5));
  });

  it('uses the latest base backup that finished before the moment', () => {
    const plan = planCluster(
      'app-postgres',
      at(35),
      [backup(2, 5), backup(3, 21), backup(4, 38)],
      [...segments, seg(1, 5, 40)],
    );
    expect(plan.baseBackup?.label).toBe('b3');
  });
});
