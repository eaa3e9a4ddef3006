// When the embedded stack cannot find PostgreSQL: what to install on this OS (the hint), or the Docker provider.
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import type { OpsFailure } from '../ops/client';

export function needsPostgres(error: OpsFailure | undefined): boolean {
  const details = error?.details as { missing?: string } | undefined;
  return error?.code === 'BINARY_MISSING' && details?.missing === 'postgresql';
}

export function PostgresMissing(props: { error: OpsFailure; onUseDocker: () => void; busy?: boolean }) {
  return (
    <Alert
      severity="info"
      sx={{ mb: 2 }}
      data-testid="postgres-missing"
      action={
        <Button
          color="inherit"
          onClick={props.onUseDocker}
          disabled={props.busy}
          data-testid="use-docker-provider"
        >
          Use the Docker provider
        </Button>
      }
    >
      <AlertTitle>PostgreSQL is not installed on this computer</AlertTitle>
      {props.error.hint}
    </Alert>
  );
}
