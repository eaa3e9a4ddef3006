import type { z } from 'zod';

/** One operation of the contract: its input schema, its output type, and whether it changes anything. */
export interface Operation<I extends z.ZodType, O> {
  readonly input: I;
  readonly writes: boolean;
  /** Phantom field: carries the output type, never set at run time. */
  readonly _output?: O;
}

export function operation<I extends z.ZodType>(input: I, options: { writes?: boolean } = {}) {
  return {
    returns<O>(): Operation<I, O> {
      return { input, writes: options.writes ?? false };
    },
  };
}
