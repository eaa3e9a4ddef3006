// New workflow alerts as a toast wherever the operator is (and as system notifications in the desktop app).
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Snackbar from '@mui/material/Snackbar';
import { useMetrics } from '../../stores/metrics';

export function AlertNotifications() {
  const fresh = useMetrics((s) => s.fresh);
  const dismiss = useMetrics((s) => s.dismissFresh);
  const latest = fresh.at(-1);
  return (
    <Snackbar open={!!latest} onClose={dismiss} anchorOrigin={{ vertical: 'bottom', horizontal: 'right' }}>
      <Alert
        severity={
          latest?.severity === 'critical' ? 'error' : latest?.severity === 'warning' ? 'warning' : 'info'
        }
        onClose={dismiss}
        data-testid="alert-toast"
        action={
          <Button color="inherit" size="small" href="#/metrics" onClick={dismiss}>
            Alerts
          </Button>
        }
      >
        {fresh.length > 1 ? `${fresh.length} new alerts. Latest: ` : ''}
        {latest?.message}
      </Alert>
    </Snackbar>
  );
}
