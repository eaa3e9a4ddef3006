// Whether the view is live (pushed events flowing) or how stale it is while the connection is down.
import Chip from '@mui/material/Chip';
import { useConnection } from '../../stores/connection';
import { formatDuration } from '../../inspection/format';
import { useNow } from '../../inspection/use-now';

export function LiveIndicator({ syncedAt }: { syncedAt: number | undefined }) {
  const state = useConnection((s) => s.state);
  const live = state === 'connected';
  const now = useNow(!live);
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
