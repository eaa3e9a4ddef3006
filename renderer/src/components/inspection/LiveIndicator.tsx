// Whether the view is live (pushed events flowing) or how stale it is while the connection is down.
import Chip from '@mui/material/Chip';
import { useConnection } from '../../stores/connection';
import { useLive } from '../../stores/live';
import { formatDuration } from '../../inspection/format';
import { useNow } from '../../inspection/use-now';

export function LiveIndicator({ syncedAt }: { syncedAt: number | undefined }) {
  const state = useConnection((s) => s.state);
  const dbEvents = useLive((s) => s.dbEvents);
  const live = state === 'connected';
  const now = useNow(!live || dbEvents === 'lost');
  if (live && dbEvents === 'lost') {
    return (
      <Chip
        size="small"
        data-testid="live-state"
        data-live="false"
        color="warning"
        label={`database events lost — showing data from ${syncedAt ? formatDuration(now - syncedAt) : 'an unknown time'} ago, reconnecting…`}
      />
    );
  }
  return (
    <Chip
      size="small"
      data-testid="live-state"
      data-live={live}
      color={live ? 'success' : 'warning'}
      variant={live ? 'outlined' : 'filled'}
      label={
        live
          ? 'live'
          : `disconnected — showing data from ${syncedAt ? formatDuration(now - syncedAt) : 'an unknown time'} ago, reconnecting…`
      }
    />
  );
}
