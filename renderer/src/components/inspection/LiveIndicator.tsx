// Whether the view is live (pushed events flowing) or, the moment the connection, the database's events or the
// stack go away, since when it is stale and why. Never "live" then.
import Chip from '@mui/material/Chip';
import { useFreshness, type StaleReason } from '../../stores/live';
import { formatTime } from '../../inspection/format';

const WHY: Record<StaleReason, string> = {
  disconnected: 'disconnected from the console, reconnecting…',
  'events-lost': 'database events lost, reconnecting…',
  'stack-down': 'stack not running',
};

/** "stale since 14:02:11 — the stack is not running" (the time the data was last known good). */
export function staleLabel(
  reason: StaleReason,
  since: number | undefined,
  syncedAt: number | undefined,
): string {
  const at = since ?? syncedAt;
  // Today's time alone reads at a glance; an older one needs its date.
  const today = at !== undefined && new Date(at).toDateString() === new Date().toDateString();
  const when = at
    ? `stale since ${today ? new Date(at).toLocaleTimeString() : formatTime(new Date(at).toISOString())}`
    : 'stale';
  return `${reason === 'disconnected' ? 'disconnected · ' : ''}${when} — ${WHY[reason]}`;
}

export function LiveIndicator({
  syncedAt,
  testId = 'live-state',
}: {
  syncedAt: number | undefined;
  testId?: string;
}) {
  const { live, reason, since } = useFreshness();
  if (live || !reason) {
    return (
      <Chip
        size="small"
        data-testid={testId}
        data-live="true"
        color="success"
        variant="outlined"
        label="live"
      />
    );
  }
  return (
    <Chip
      size="small"
      data-testid={testId}
      data-live="false"
      data-reason={reason}
      color="warning"
      label={staleLabel(reason, since, syncedAt)}
      role="status"
    />
  );
}
