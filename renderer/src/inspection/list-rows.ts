// A refreshed page of the Workflows list, keeping what did not change as the objects already shown: a row view
// given the same row skips drawing, and an unchanged page leaves the list alone. With many cycles running the
// list is re-read several times a second and most rows are the same each time. Pure.
import type { CycleRow } from '../../../main/api/contract';

const key = (r: CycleRow) => `${r.workflowId}/${r.runId}`;

/** `next` with each row equal to one in `shown` replaced by that row; `shown` itself when nothing changed. */
export function keepUnchangedRows(shown: readonly CycleRow[] | undefined, next: CycleRow[]): CycleRow[] {
  if (!shown) return next;
  const before = new Map(shown.map((r) => [key(r), { row: r, text: JSON.stringify(r) }]));
  let changed = shown.length !== next.length;
  const rows = next.map((r, i) => {
    const b = before.get(key(r));
    const kept = b && b.text === JSON.stringify(r) ? b.row : r;
    if (kept !== shown[i]) changed = true;
    return kept;
  });
  return changed ? rows : (shown as CycleRow[]);
}
