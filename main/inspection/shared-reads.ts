// Identical reads asked for while one is under way share the next one: several open pages that each follow the
// same live list make one read of it at a time, not one each. Every caller still gets a read that began after it
// asked (never an answer read before the change it was told of), and at most one read per key waits its turn.

interface Slot<T> {
  /** The read under way. */
  running: Promise<T>;
  /** The read that starts when it ends, shared by everyone who asked meanwhile. */
  next: Promise<T> | undefined;
}

export class SharedReads {
  private readonly slots = new Map<string, Slot<unknown>>();
  /** Reads answered by joining a read another caller asked for (for the benchmarks' accounting). */
  joined = 0;

  /** `read()`'s answer, shared with every identical read (same `key`) asked while it waits to start. */
  read<T>(key: string, read: () => Promise<T>): Promise<T> {
    const slot = this.slots.get(key) as Slot<T> | undefined;
    if (!slot) return this.start(key, read);
    if (slot.next) {
      this.joined++;
      return slot.next;
    }
    // Started when the running read ends, however it ends.
    slot.next = slot.running.then(
      () => this.startNext(key, read),
      () => this.startNext(key, read),
    );
    return slot.next;
  }

  private start<T>(key: string, read: () => Promise<T>): Promise<T> {
    const running = read().finally(() => {
      const slot = this.slots.get(key);
      if (slot?.running === running && !slot.next) this.slots.delete(key);
    });
    this.slots.set(key, { running, next: undefined });
    return running;
  }

  private startNext<T>(key: string, read: () => Promise<T>): Promise<T> {
    this.slots.delete(key);
    return this.start(key, read);
  }
}
