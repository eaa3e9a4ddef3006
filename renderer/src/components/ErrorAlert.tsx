// The one place a typed error is rendered: its message, its code, and what to do. A refused input is worded
// field by field (never the schema's own text), for calls that no form checked first.
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Typography from '@mui/material/Typography';
import { describeIssues, fromFailure } from '../forms';
import type { OpsFailure } from '../ops/client';

export function ErrorAlert({ error, onClose }: { error: OpsFailure; onClose?: () => void }) {
  const issues = fromFailure(error);
  if (issues.length > 0)
    return (
      <Alert severity="error" onClose={onClose} data-testid="error-alert" sx={{ my: 1 }}>
        <AlertTitle>Not accepted, nothing was changed: correct these values</AlertTitle>
        {describeIssues(issues, {}).map(({ text }) => (
          <Typography variant="body2" key={text}>
            {text}
          </Typography>
        ))}
      </Alert>
    );
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
