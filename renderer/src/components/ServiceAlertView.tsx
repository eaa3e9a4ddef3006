// One service alert: what happened, what to do, and the log lines that caused it (folded until asked for).
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Collapse from '@mui/material/Collapse';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { ServiceAlert } from '../../../main/api/contract';
import { MONO } from '../theme';

export function ServiceAlertView({
  alert,
  onAcknowledge,
  showService = false,
}: {
  alert: ServiceAlert;
  onAcknowledge: () => void;
  showService?: boolean;
}) {
  const [linesOpen, setLinesOpen] = useState(false);
  return (
    <Alert
      severity={alert.severity === 'critical' ? 'error' : 'warning'}
      data-testid={`service-alert-${alert.service}`}
      data-kind={alert.kind}
      sx={{ mt: 1, '& .MuiAlert-message': { width: '100%', minWidth: 0 } }}
    >
      <AlertTitle>
        {showService ? `${alert.service}: ` : ''}
        {alert.title}
        {alert.count > 1 ? ` (${alert.count} times)` : ''}
      </AlertTitle>
      <Typography variant="body2">{alert.message}</Typography>
      <Typography variant="body2" sx={{ mt: 0.5 }}>
        <strong>What to do:</strong> {alert.fix}
      </Typography>
      <Stack direction="row" spacing={1} sx={{ mt: 0.5 }}>
        {alert.lines.length > 0 && (
          <Button size="small" onClick={() => setLinesOpen((o) => !o)} aria-expanded={linesOpen}>
            {linesOpen ? 'Hide' : 'Show'} the {alert.lines.length} line{alert.lines.length === 1 ? '' : 's'}
          </Button>
        )}
        <Button size="small" onClick={onAcknowledge} data-testid={`service-alert-ack-${alert.service}`}>
          Acknowledge
        </Button>
      </Stack>
      <Collapse in={linesOpen}>
        <Box
          component="pre"
          sx={{
            fontFamily: MONO,
            fontSize: 11,
            whiteSpace: 'pre-wrap',
            wordBreak: 'break-word',
            m: 0,
            mt: 0.5,
          }}
        >
          {alert.lines.join('\n')}
        </Box>
      </Collapse>
    </Alert>
  );
}

export function ServiceAlertList({
  alerts,
  onAcknowledge,
}: {
  alerts: ServiceAlert[];
  onAcknowledge: (ids: string[]) => void;
}) {
  return (
    <Box data-testid="service-alert-list">
      {alerts.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          No open service alerts.
        </Typography>
      ) : (
        <>
          <Button size="small" onClick={() => onAcknowledge(alerts.map((a) => a.id))}>
            Acknowledge all
          </Button>
          {alerts.map((a) => (
            <ServiceAlertView key={a.id} alert={a} showService onAcknowledge={() => onAcknowledge([a.id])} />
          ))}
        </>
      )}
    </Box>
  );
}
