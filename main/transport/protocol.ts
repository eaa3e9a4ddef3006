// The wire protocol shared by the WebSocket transport's server and client (plain JSON frames).
import { z } from 'zod';
import { WorkflowIdSchema, type CallResult } from '../api';

export const CallFrameSchema = z.object({
  type: z.literal('call'),
  id: z.number().int(),
  op: z.string().max(200),
  input: z.unknown(),
});
export type CallFrame = z.infer<typeof CallFrameSchema>;

export type ResultFrame =
  | { type: 'result'; id: number; ok: true; result: unknown }
  | {
      type: 'result';
      id: number;
      ok: false;
      error: { code: string; message: string; hint: string; details?: unknown };
    };

/** One pushed event. */
export interface PushedEvent {
  name: string;
  payload: unknown;
}

/** The events raised in one task of the console's event loop, in order, as one frame. */
export type EventsFrame = { type: 'events'; events: PushedEvent[] };

export type ServerFrame = ResultFrame | EventsFrame;

/**
 * A window says which cycles it shows in detail (its open cycle): their progress reaches it at once, other cycles'
 * progress and log lines may wait a moment to travel with other events (see WindowFeed). An empty list: none.
 */
export const FocusFrameSchema = z
  .object({ type: z.literal('focus'), workflowIds: z.array(WorkflowIdSchema).max(20) })
  .strict();
export type FocusFrame = z.infer<typeof FocusFrameSchema>;

/**
 * How long an event a window does not need at once may wait to go out with others: the lists it refreshes re-read
 * once a second at the most, and the log drawer reads it as it comes. With fifty cycles running, every window would
 * otherwise take a message for each of the thousands of progress changes, and each message wakes the browser.
 */
export const HELD_EVENT_MS = 250;

/**
 * Whether a window needs an event at once: anything but a progress change or a log line; a progress change of a
 * cycle it shows in detail; the database listener's own news (lost, flowing, re-sync), which every view follows.
 */
export function isUrgentFor(event: PushedEvent, focus: ReadonlySet<string>): boolean {
  if (event.name === 'log') return false;
  if (event.name !== 'workflow.progress') return true;
  const { workflowId, table } = event.payload as { workflowId?: unknown; table?: unknown };
  return table === 'listener' || (typeof workflowId === 'string' && focus.has(workflowId));
}

/**
 * What one window is sent: every event, in the order raised. A task with an event the window needs at once goes
 * out at once, with everything held before it in front; events it does not need at once are held up to `holdMs`
 * and go out together. `T` is the form the transport sends an event in (serialised once for every window).
 */
export class WindowFeed<T> {
  focus: ReadonlySet<string> = new Set();
  private held: T[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly send: (items: T[]) => void,
    private readonly holdMs = HELD_EVENT_MS,
  ) {}

  /** One task's events, with each one's form to send. */
  take(events: PushedEvent[], forms: T[]): void {
    this.held.push(...forms);
    if (events.some((e) => isUrgentFor(e, this.focus))) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.holdMs);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const items = this.held;
    this.held = [];
    if (items.length > 0) this.send(items);
  }

  /** The window is gone: nothing more is sent, and what is held is dropped. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.held = [];
  }
}

/**
 * Forwards `source`'s events to one receiver: the events raised by one task of the event loop (one callback, with
 * the promise continuations it runs) together, in order, as one `send`, made as soon as that task ends. One notice's
 * changes (two phases marked running at once) then reach the page as one message, which it handles in one task, so
 * they are drawn in the same frame; and a change leaves at once, not after the other callbacks the loop has ready
 * (with many cycles running, the reads' answers and other windows' calls). Returns the stop: no more events, and
 * what is queued is dropped (the receiver is gone).
 */
export function pushEventsPerTask(
  source: { subscribe(listener: (name: string, payload: unknown) => void): () => void },
  send: (events: PushedEvent[]) => void,
): () => void {
  let queued: PushedEvent[] = [];
  const unsubscribe = source.subscribe((name, payload) => {
    queued.push({ name, payload });
    if (queued.length > 1) return;
    queueMicrotask(() => {
      const events = queued;
      queued = [];
      if (events.length > 0) send(events); // none once stopped
    });
  });
  return () => {
    unsubscribe();
    queued = [];
  };
}

export const API_PATH = '/api';

/** The answer to a frame that is not a call (not JSON, or the wrong shape): there is no id to answer to. */
export const MALFORMED_FRAME: ResultFrame = {
  type: 'result',
  id: -1,
  ok: false,
  error: { code: 'INVALID_INPUT', message: 'Malformed frame', hint: 'Send {type:"call", id, op, input}.' },
};

/** A frame of `schema`'s shape read from its text, or undefined when the text is not one. */
function readFrame<T>(text: string, schema: z.ZodType<T>): T | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** One call frame read from its text, or undefined when the text is not one. */
export function readCallFrame(text: string): CallFrame | undefined {
  return readFrame(text, CallFrameSchema);
}

const WindowFrameSchema = z.union([CallFrameSchema, FocusFrameSchema]);

/** A window's frame read from its text (a call, or which cycles it shows), or undefined when it is neither. */
export function readWindowFrame(text: string): CallFrame | FocusFrame | undefined {
  return readFrame(text, WindowFrameSchema);
}

/** Events serialised one by one, as one events frame (each event is serialised once for every window). */
export function eventsFrameText(serialisedEvents: string[]): string {
  return `{"type":"events","events":[${serialisedEvents.join(',')}]}`;
}

/** A router outcome as the result frame of call `id`. */
export function resultFrame(id: number, outcome: CallResult): ResultFrame {
  return outcome.ok
    ? { type: 'result', id, ok: true, result: outcome.result }
    : { type: 'result', id, ok: false, error: outcome.error };
}
