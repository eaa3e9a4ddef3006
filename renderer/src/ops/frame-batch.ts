// Pushed events gathered until the next frame and handed on together: a burst of events makes one store update and
// one render, not one each. A page that draws no frames (hidden, in the background) still gets them, a little later.

/** How long a batch waits when no frame comes (a hidden page's frames stop; its timers only slow down). */
export const NO_FRAME_MS = 100;

export interface FrameScheduler {
  /** Calls `run` once, at the next frame or after NO_FRAME_MS, whichever comes first. */
  next(run: () => void): void;
}

export const browserFrames: FrameScheduler = {
  next(run) {
    let done = false;
    const once = () => {
      if (done) return;
      done = true;
      cancelAnimationFrame(frame);
      clearTimeout(timer);
      run();
    };
    const frame = requestAnimationFrame(once);
    const timer = setTimeout(once, NO_FRAME_MS);
  },
};

/** A function that queues an item; every item queued before the next frame goes to `apply` in one call, in order. */
export function frameBatch<T>(
  apply: (items: T[]) => void,
  frames: FrameScheduler = browserFrames,
): (item: T) => void {
  let queued: T[] = [];
  return (item) => {
    queued.push(item);
    if (queued.length > 1) return;
    frames.next(() => {
      const items = queued;
      queued = [];
      apply(items);
    });
  };
}
