import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardActions from '@mui/material/CardActions';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Typography from '@mui/material/Typography';
import type { ReactNode } from 'react';
import { MONO } from '../theme';

export type CardHealth = 'healthy' | 'degraded' | 'failed' | 'unknown' | 'off';

const HEALTH_COLOUR = {
  healthy: 'success',
  degraded: 'warning',
  failed: 'error',
  unknown: 'default',
  off: 'default',
} as const;

export function uptime(since: string | undefined, now: number): string {
  if (!since) return '—';
  const s = Math.max(0, Math.round((now - Date.parse(since)) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function ServiceCard(props: {
  id: string;
  title: string;
  state: string;
  health: CardHealth;
  facts: Array<[string, ReactNode]>;
  message?: string;
  /** Open service alerts, shown under the facts. */
  alerts?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <Card
      data-testid={`service-card-${props.id}`}
      data-state={props.state}
      data-health={props.health}
      sx={{ height: '100%', display: 'flex', flexDirection: 'column' }}
    >
      <CardContent sx={{ flex: 1 }}>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mb: 1 }}>
          <Typography variant="subtitle1" sx={{ fontWeight: 600, flex: 1 }}>
            {props.title}
          </Typography>
          <Chip
            size="small"
            label={props.state}
            variant="outlined"
            data-testid={`service-state-${props.id}`}
          />
          <Chip
            size="small"
            label={props.health}
            color={HEALTH_COLOUR[props.health]}
            data-testid={`service-health-${props.id}`}
          />
        </Box>
        {props.facts.map(([label, value]) => (
          <Box key={label} sx={{ display: 'flex', fontSize: 13, py: 0.25 }}>
            <Box sx={{ color: 'text.secondary', width: 90, flexShrink: 0 }}>{label}</Box>
            <Box
              // Wrapped, never cut: a restart policy or a long path is read in full.
              sx={{ fontFamily: MONO, minWidth: 0, overflowWrap: 'anywhere' }}
            >
              {value}
            </Box>
          </Box>
        ))}
        {props.message && (
          <Typography
            variant="caption"
            color="error"
            sx={{ display: 'block', mt: 1, fontFamily: MONO, whiteSpace: 'pre-wrap' }}
          >
            {props.message}
          </Typography>
        )}
        {props.alerts}
      </CardContent>
      {props.actions && <CardActions>{props.actions}</CardActions>}
    </Card>
  );
}

export function ServiceCardButton(props: {
  onClick: () => void;
  children: ReactNode;
  disabled?: boolean;
  testId: string;
}) {
  return (
    <Button onClick={props.onClick} disabled={props.disabled} data-testid={props.testId}>
      {props.children}
    </Button>
  );
}
