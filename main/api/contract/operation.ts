import type { z } from 'zod';

/**
 * What an operation does to the stack: `reads` changes nothing anywhere; `writes` changes something (the
 * stack, its data, the console's files) and so is refused on a read-only profile and written to the audit
 * trail. There is no default: an operation that does not say does not compile.
 */
export type Effect = 'reads' | 'writes';

/**
 * A part of a reading operation that writes somewhere (the validation's integration probe starts and
 * terminates a workflow on Temporal). It runs only where a write would be allowed, and is audited when it
 * runs; elsewhere the operation runs without it and says why.
 */
export interface WritingProbe<I extends z.ZodType> {
  readonly writes: 'temporal';
  /** Whether this input asks for the probe. */
  readonly when: (input: z.output<I>) => boolean;
  /** What the probe does, for the operator ("starts and terminates a workflow"). */
  readonly what: string;
}

/** One operation of the contract: its input schema, its output type, and its effect. */
export interface Operation<I extends z.ZodType, O> {
  readonly input: I;
  readonly effect: Effect;
  /** Same as effect === 'writes' (kept for readers of the contract). */
  readonly writes: boolean;
  readonly probe?: WritingProbe<I>;
  /** Phantom field: carries the output type, never set at run time. */
  readonly _output?: O;
}

export function operation<I extends z.ZodType>(
  input: I,
  effect: Effect,
  options: { probe?: WritingProbe<I> } = {},
) {
  return {
    returns<O>(): Operation<I, O> {
      return {
        input,
        effect,
        writes: effect === 'writes',
        ...(options.probe ? { probe: options.probe } : {}),
      };
    },
  };
}
