// Which history events belong to a phase: its activities' scheduled events and what followed from them. Pure.
import type { HistoryEventView } from '../../../main/api/contract';

export function relatedEvents(
  events: readonly HistoryEventView[],
  activityTypes: readonly string[],
): HistoryEventView[] {
  const types = new Set(activityTypes);
  const scheduled = new Set<string>();
  const out: HistoryEventView[] = [];
  for (const e of events) {
    const attrs = (e.attributes ?? {}) as Record<string, unknown>;
    if (e.type === 'ActivityTaskScheduled') {
      const name = (attrs.activityType as { name?: string } | undefined)?.name;
      if (name && types.has(name)) {
        scheduled.add(String(e.id));
        out.push(e);
      }
      continue;
    }
    const ref = attrs.scheduledEventId;
    if (ref !== undefined && scheduled.has(String(ref))) out.push(e);
  }
  return out;
}
