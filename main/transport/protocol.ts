// The wire protocol shared by the WebSocket transport's server and client (plain JSON frames).
import { z } from 'zod';

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
