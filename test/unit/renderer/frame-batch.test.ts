// Pushed events gathered per frame: every event queued before a frame goes on in one call, in order.
import { describe, expect, it } from 'vitest';
import { frameBatch, type FrameScheduler } from '../../../renderer/src/ops/frame-batch';

/** Frames that come only when the test says. */
function manualFrames() {
  const waiting: Array<() => void> = [];
  const frames: FrameScheduler = { next: (run) => void waiting.push(run) };
  const frame = () => waiting.splice(0).forEach((run) => run());
  return { frames, frame, waiting };
}

describe('a frame batch', () => {
  it('hands on every item queued before the frame in one call, in the order they came', () => {
    const { frames, frame, waiting } = manualFrames();
    const calls: number[][] = [];
    const push = frameBatch<number>((items) => calls.push(items), frames);
    push(1);
    push(2);
    push(3);
    expect(calls).toEqual([]);
    expect(waiting).toHaveLength(1);
    frame();
    expect(calls).toEqual([[1, 2, 3]]);
  });

  it('starts a new batch for what comes after the frame, and asks for no frame while nothing waits', () => {
    const { frames, frame, waiting } = manualFrames();
    const calls: string[][] = [];
    const push = frameBatch<string>((items) => calls.push(items), frames);
    push('a');
    frame();
    expect(waiting).toHaveLength(0);
    push('b');
    push('c');
    frame();
    expect(calls).toEqual([['a'], ['b', 'c']]);
  });

  it('keeps an item queued while the batch is handed on for the next frame', () => {
    const { frames, frame } = manualFrames();
    const calls: number[][] = [];
    const push = frameBatch<number>((items) => {
      calls.push(items);
      if (items[0] === 1) push(2);
    }, frames);
    push(1);
    frame();
    frame();
    expect(calls).toEqual([[1], [2]]);
  });
});
