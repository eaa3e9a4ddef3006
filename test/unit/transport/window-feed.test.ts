// What one window is sent: every event in the order raised; what it needs at once goes at once (with everything
// held before it in front), the rest waits a moment to travel together.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HELD_EVENT_MS, isUrgentFor, WindowFeed, type PushedEvent } from '../../../main/transport';

const progress = (workflowId: string): PushedEvent => ({
  name: 'workflow.progress',
  payload: { workflowId, table: 'workflow_phases', kind: 'phase:completed', at: '' },
});
const log: PushedEvent = { name: 'log', payload: { message: 'a line' } };
const status: PushedEvent = { name: 'stack.status', payload: { state: 'running' } };
const resync: PushedEvent = {
  name: 'workflow.progress',
  payload: { workflowId: '*', table: 'listener', kind: 'resync', at: '' },
};

afterEach(() => {
  vi.useRealTimers();
});

describe('a window feed', () => {
  it('needs at once: its open cycle, the listener, anything but progress and log lines', () => {
    const focus = new Set(['cycle-a']);
    expect(isUrgentFor(progress('cycle-a'), focus)).toBe(true);
    expect(isUrgentFor(progress('cycle-b'), focus)).toBe(false);
    expect(isUrgentFor(log, focus)).toBe(false);
    expect(isUrgentFor(resync, new Set())).toBe(true);
    expect(isUrgentFor(status, new Set())).toBe(true);
  });

  it('sends what it needs at once in the same task, with what it held before in front', () => {
    vi.useFakeTimers();
    const sent: string[][] = [];
    const feed = new WindowFeed<string>((items) => sent.push(items));
    feed.focus = new Set(['cycle-a']);
    feed.take([progress('cycle-b')], ['b1']);
    feed.take([log], ['log1']);
    expect(sent).toEqual([]);
    feed.take([progress('cycle-a'), log], ['a1', 'log2']);
    expect(sent).toEqual([['b1', 'log1', 'a1', 'log2']]);
    // Nothing is left held: the timer of the held events sends nothing more.
    vi.advanceTimersByTime(HELD_EVENT_MS * 2);
    expect(sent).toHaveLength(1);
  });

  it('sends what it held together, one hold after the first of them', () => {
    vi.useFakeTimers();
    const sent: string[][] = [];
    const feed = new WindowFeed<string>((items) => sent.push(items));
    feed.take([progress('cycle-b')], ['b1']);
    vi.advanceTimersByTime(HELD_EVENT_MS - 1);
    feed.take([log], ['log1']);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([['b1', 'log1']]);
    feed.take([progress('cycle-c')], ['c1']);
    vi.advanceTimersByTime(HELD_EVENT_MS);
    expect(sent).toEqual([['b1', 'log1'], ['c1']]);
  });

  it('follows a change of focus, and sends nothing once closed', () => {
    vi.useFakeTimers();
    const sent: string[][] = [];
    const feed = new WindowFeed<string>((items) => sent.push(items));
    feed.take([progress('cycle-b')], ['b1']);
    feed.focus = new Set(['cycle-b']);
    feed.take([progress('cycle-b')], ['b2']);
    expect(sent).toEqual([['b1', 'b2']]);
    feed.take([log], ['log1']);
    feed.close();
    vi.advanceTimersByTime(HELD_EVENT_MS);
    expect(sent).toHaveLength(1);
  });
});
