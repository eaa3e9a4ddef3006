// The log drawer never shows a line twice: a line both in its read of the recent lines and pushed a moment later
// is kept once; a restarted console's lines (numbered from 1 again) are new lines.
import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../../main/api/contract';
import { unseenLines } from '../../../renderer/src/stores/log-lines';

const line = (seq: number, ts = `2026-12-01T10:00:0${seq % 10}.000Z`): LogLine => ({
  seq,
  ts,
  source: 'console',
  level: 'info',
  message: `line ${seq}`,
});

describe('the log drawer', () => {
  it('keeps a line it read and was then pushed once', () => {
    const held = [1, 2, 3, 4].map((n) => line(n));
    expect(unseenLines(held, [line(3), line(4), line(5)])).toEqual([line(5)]);
    expect(unseenLines(held, [line(5), line(6)])).toEqual([line(5), line(6)]);
    expect(unseenLines([], [line(1)])).toEqual([line(1)]);
  });

  it("takes a restarted console's lines, numbered from 1 again", () => {
    const held = [7, 8, 9].map((n) => line(n, `2026-12-01T09:00:0${n}.000Z`));
    const restarted = [line(1, '2026-12-01T11:00:00.000Z'), line(2, '2026-12-01T11:00:01.000Z')];
    expect(unseenLines(held, restarted)).toEqual(restarted);
  });
});
