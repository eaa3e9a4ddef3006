// The archiving lag shown on the archive cards: counted in segments across log boundaries, unknown (not NaN)
// when the last archived file is a timeline's history file, as it is right after a recovery.
import { describe, expect, it } from 'vitest';
import { segmentLag } from '../../../main/stack/pitr/wal';

describe('archiving lag in segments', () => {
  it('counts the segments between the last archived one and the current one', () => {
    expect(segmentLag('000000010000000000000003', '000000010000000000000004')).toBe(0);
    expect(segmentLag('000000010000000000000003', '000000010000000000000007')).toBe(3);
  });

  it('counts across a log boundary as 256 segments per log, not as one long hex number', () => {
    expect(segmentLag('0000000100000000000000FE', '000000010000000100000001')).toBe(2);
  });

  it('follows the new timeline a recovery starts', () => {
    expect(segmentLag('000000010000000000000009', '00000002000000000000000A')).toBe(0);
  });

  it('is unknown when the last archived file is a history file or a backup label', () => {
    expect(segmentLag('00000002.history', '00000002000000000000000A')).toBeUndefined();
    expect(
      segmentLag('000000010000000000000002.00000028.backup', '000000010000000000000003'),
    ).toBeUndefined();
  });
});
