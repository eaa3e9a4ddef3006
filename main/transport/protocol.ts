// The wire protocol shared by the WebSocket transport's server and client (plain JSON frames).
import { z } from 'zod';
import type { CallResult } from '../api';

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

/** The events pushed in one turn of the console's event loop, in order, as one frame. */
export type EventsFrame = { type: 'events'; events: PushedEvent[] };

export type ServerFrame = ResultFrame | EventsFrame;

/**
 * Forwards `source`'s events to one receiver, the events of one turn of the event loop together, in order, as one
 * `send`. One notice's changes (two phases marked running at once) then reach the page as one message, which it
 * handles in one task, so they are drawn in the same frame; and a busy stack sends one message per turn, not one
 * per change. Returns the stop: no more events, and what is queued is dropped (the receiver is gone).
 */
export function pushEventsPerTurn(
  source: { subscribe(listener: (name: string, payload: unknown) => void): () => void },
  send: (events: PushedEvent[]) => void,
): () => void {
  let queued: PushedEvent[] = [];
  let turn: NodeJS.Immediate | undefined;
  const unsubscribe = source.subscribe((name, payload) => {
    queued.push({ name, payload });
    turn ??= setImmediate(() => {
      turn = undefined;
      const events = queued;
      queued = [];
      send(events);
    });
  });
  return () => {
    unsubscribe();
    if (turn) clearImmediate(turn);
    turn = undefined;
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

/** One call frame read from its text, or undefined when the text is not one. */
export function readCallFrame(text: string): CallFrame | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = CallFrameSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** A router outcome as the result frame of call `id`. */
export function resultFrame(id: number, outcome: CallResult): ResultFrame {
  return outcome.ok
    ? { type: 'result', id, ok: true, result: outcome.result }
    : { type: 'result', id, ok: false, error: outcome.error };
}
