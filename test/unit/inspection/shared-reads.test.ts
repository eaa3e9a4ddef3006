// Identical reads asked while one runs share the next one, which starts after the running one ends.
import { describe, expect, it } from 'vitest';
import { SharedReads } from '../../../main/inspection/shared-reads';

/** A read whose answers the test releases one by one; `started` counts the reads begun. */
function controlledRead() {
  const waiting: Array<{ resolve: (n: number) => void; reject: (e: Error) => void }> = [];
  let started = 0;
  return {
    read: () =>
      new Promise<number>((resolve, reject) => {
        started++;
        waiting.push({ resolve, reject });
      }),
    get started() {
      return started;
    },
    answer(n: number) {
      waiting.shift()!.resolve(n);
    },
    fail(message: string) {
      waiting.shift()!.reject(new Error(message));
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('shared reads', () => {
  it('gives the callers that asked during a read one read begun after it, and never more than one waiting', async () => {
    const reads = new SharedReads();
    const source = controlledRead();
    const first = reads.read('list', source.read);
    const second = reads.read('list', source.read);
    const third = reads.read('list', source.read);
    expect(source.started).toBe(1);
    source.answer(1);
    await expect(first).resolves.toBe(1);
    await tick();
    // The next read began only once the first had ended, and serves both who asked meanwhile.
    expect(source.started).toBe(2);
    source.answer(2);
    await expect(second).resolves.toBe(2);
    await expect(third).resolves.toBe(2);
    expect(reads.joined).toBe(1);
    // Nothing under way: the next caller starts its own read at once.
    const fourth = reads.read('list', source.read);
    expect(source.started).toBe(3);
    source.answer(3);
    await expect(fourth).resolves.toBe(3);
  });

  it('keeps different reads apart', async () => {
    const reads = new SharedReads();
    const source = controlledRead();
    const a = reads.read('list:a', source.read);
    const b = reads.read('list:b', source.read);
    expect(source.started).toBe(2);
    source.answer(1);
    source.answer(2);
    await expect(a).resolves.toBe(1);
    await expect(b).resolves.toBe(2);
    expect(reads.joined).toBe(0);
  });

  it('runs the waiting read after a failed one, and hands each caller its own outcome', async () => {
    const reads = new SharedReads();
    const source = controlledRead();
    const first = reads.read('list', source.read);
    const second = reads.read('list', source.read);
    source.fail('the app DB does not answer');
    await expect(first).rejects.toThrow('the app DB does not answer');
    await tick();
    expect(source.started).toBe(2);
    source.answer(7);
    await expect(second).resolves.toBe(7);
  });
});
