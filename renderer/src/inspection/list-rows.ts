// A re-read list keeping what did not change as the objects already shown: a view given the same object skips
// drawing, and an unchanged list is left alone. With many cycles running, the Workflows list and the open cycle's
// phases are re-read several times a second and most of them are the same each time. Pure.
import type { CycleRow } from '../../../main/api/contract';

/**
 * `next` with each item equal to the one of the same key in `shown` replaced by that one; `shown` itself when
 * nothing changed. Equal is the same JSON: the items come from JSON.
 */
export function keepUnchanged<T>(shown: readonly T[] | undefined, next: T[], key: (item: T) => string): T[] {
  if (!shown) return next;
  const before = new Map(shown.map((item) => [key(item), { item, text: JSON.stringify(item) }]));
  let changed = shown.length !== next.length;
  const items = next.map((item, i) => {
    const b = before.get(key(item));
    const kept = b && b.text === JSON.stringify(item) ? b.item : item;
    if (kept !== shown[i]) changed = true;
    return kept;
  });
  return changed ? items : (shown as T[]);
}

/** A page of rows, each known by its workflow and run. */
export function keepUnchangedRows(shown: readonly CycleRow[] | undefined, next: CycleRow[]): CycleRow[] {
  return keepUnchanged(shown, next, (r) => `${r.workflowId}/${r.runId}`);
}
