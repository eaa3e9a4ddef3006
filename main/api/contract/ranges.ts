// A time range given as two optional ISO moments: the end may not come before the start.
import type { z } from 'zod';

/** A superRefine check: puts the issue on the end field, in words the operator reads as they are. */
export function startNotAfterEnd<K extends string>(startKey: K, endKey: K) {
  return (value: Partial<Record<K, string | undefined>>, ctx: z.RefinementCtx): void => {
    const start = value[startKey];
    const end = value[endKey];
    if (start && end && Date.parse(end) < Date.parse(start))
      ctx.addIssue({
        code: 'custom',
        path: [endKey],
        input: end,
        message: 'Must not be before the start of the range',
      });
  };
}
