import Chip from '@mui/material/Chip';
import { useEffect, useState } from 'react';
import { useConnection } from '../stores/connection';

const LOOK = {
  connected: { label: 'Connected', color: 'success' },
  connecting: { label: 'Connecting…', color: 'default' },
  reconnecting: { label: 'Reconnecting', color: 'warning' },
  unauthorized: { label: 'Not authorised: open the address printed by ops-console serve', color: 'error' },
} as const;

export function ConnectionIndicator() {
  const { state, since } = useConnection();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (state !== 'reconnecting') return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [state]);
  const look = LOOK[state];
  const stale =
    state === 'reconnecting' ? ` · data ${Math.max(0, Math.round((now - since) / 1000))} s old` : '';
  return (
    <Chip
      size="small"
      variant="outlined"
      color={look.color}
      label={look.label + stale}
      data-testid="connection-indicator"
      data-state={state}
    />
  );
}
