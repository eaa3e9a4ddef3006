// The one place a typed error is rendered: its message, its code, and what to do.
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Typography from '@mui/material/Typography';
import type { OpsFailure } from '../ops/client';

export function ErrorAlert({ error, onClose }: { error: OpsFailure; onClose?: () => void }) {
  return (
    <Alert severity="error" onClose={onClose} data-testid="error-alert" sx={{ my: 1 }}>
      <AlertTitle>{error.message}</AlertTitle>
      <Typography variant="body2">What to do: {error.hint}</Typography>
      <Typography variant="caption" color="text.secondary">
        {error.code}
      </Typography>
    </Alert>
  );
}
