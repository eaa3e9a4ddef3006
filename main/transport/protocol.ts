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

export type EventFrame = { type: 'event'; name: string; payload: unknown };

export type ServerFrame = ResultFrame | EventFrame;

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
