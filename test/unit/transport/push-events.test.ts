// The events one task of the event loop raises leave together, as one message, as soon as that task ends: not after
// the other callbacks the loop has ready.
import { describe, expect, it } from 'vitest';
import { pushEventsPerTask, type PushedEvent } from '../../../main/transport';

/** A source of events as the console's event bus is one: listeners called at once, in order. */
class Source {
  private readonly listeners = new Set<(name: string, payload: unknown) => void>();
  emit(name: string, payload: unknown = {}): void {
    for (const listener of this.listeners) listener(name, payload);
  }
  subscribe(listener: (name: string, payload: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

describe('pushing events', () => {
  it("sends one callback's events as one message before the loop's next callback runs", async () => {
    const bus = new Source();
    const sent: PushedEvent[][] = [];
    const stop = pushEventsPerTask(bus, (events) => sent.push(events));
    // Two callbacks ready in the same turn of the loop: the first raises two changes (one notice), the second only
    // looks at what has been sent by then.
    const seenBySecond = await new Promise<PushedEvent[][]>((resolve) => {
      setImmediate(() => {
        bus.emit('workflow.progress', { workflowId: 'cycle-a', kind: 'phase:running' });
        bus.emit('workflow.progress', { workflowId: 'cycle-a', kind: 'phase:completed' });
      });
      setImmediate(() => resolve(sent.map((m) => [...m])));
    });
    expect(seenBySecond).toEqual([
      [
        { name: 'workflow.progress', payload: { workflowId: 'cycle-a', kind: 'phase:running' } },
        { name: 'workflow.progress', payload: { workflowId: 'cycle-a', kind: 'phase:completed' } },
      ],
    ]);
    stop();
  });

  it("sends each task's events in the order raised, and nothing once stopped", async () => {
    const bus = new Source();
    const sent: string[][] = [];
    const stop = pushEventsPerTask(bus, (events) => sent.push(events.map((e) => e.name)));
    bus.emit('log');
    bus.emit('stack.status');
    await new Promise((resolve) => setImmediate(resolve));
    bus.emit('worker.status');
    await new Promise((resolve) => setImmediate(resolve));
    bus.emit('log');
    stop(); // before its task ended: the queued event is dropped
    await new Promise((resolve) => setImmediate(resolve));
    bus.emit('log');
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual([['log', 'stack.status'], ['worker.status']]);
  });
});
