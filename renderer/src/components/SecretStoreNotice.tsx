// Settings → where secrets are kept (and why not in the keychain), and the reset of a lost cluster password.
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { SettingsView } from '../../../main/api/contract';
import { useSecrets } from '../stores/secrets';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorAlert } from './ErrorAlert';

type Cluster = 'app-postgres' | 'temporal-postgres';

export function SecretStoreNotice({ secretStore }: { secretStore: SettingsView['secretStore'] }) {
  const { resetPassword, resetting, error } = useSecrets();
  const [asking, setAsking] = useState<Cluster | undefined>();
  const [typed, setTyped] = useState('');
  if (!secretStore) return null;
  const expected = asking ? `reset ${asking}` : '';
  return (
    <>
      {secretStore.notice && (
        <Alert severity="info" sx={{ mb: 2 }} data-testid="secret-store-notice">
          {secretStore.notice}
        </Alert>
      )}
      {secretStore.lost.length > 0 && (
        <Alert severity="error" sx={{ mb: 2 }} data-testid="secret-lost">
          <AlertTitle>A cluster password is missing from the secret store</AlertTitle>
          <Typography variant="body2" sx={{ mb: 1 }}>
            The stack will not start: a new password would not open a cluster that already exists, so none was
            made. If you have a copy of the secrets file, put it back. Otherwise, reset the password: the
            stack stops, the cluster gets a new password through its own superuser route, and its data is
            kept.
          </Typography>
          <Stack direction="row" spacing={1}>
            {secretStore.lost.map((cluster) => (
              <Button
                key={cluster}
                color="error"
                variant="outlined"
                disabled={resetting !== undefined}
                onClick={() => {
                  setTyped('');
                  setAsking(cluster);
                }}
                data-testid={`secret-reset-${cluster}`}
              >
                Reset the {cluster} password
              </Button>
            ))}
          </Stack>
        </Alert>
      )}
      {error && <ErrorAlert error={error} />}
      <ConfirmDialog
        open={asking !== undefined}
        title={`Reset the ${asking ?? ''} password?`}
        confirmLabel="Reset password"
        confirmDisabled={typed !== expected}
        onCancel={() => setAsking(undefined)}
        onConfirm={() => {
          const cluster = asking!;
          setAsking(undefined);
          void resetPassword(cluster, typed);
        }}
      >
        The stack stops, and the console&apos;s role on {asking} gets a new password. Type{' '}
        <strong>{expected}</strong> to confirm.
        <TextField
          autoFocus
          fullWidth
          margin="dense"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          slotProps={{ htmlInput: { 'data-testid': 'secret-reset-confirm', 'aria-label': 'confirmation' } }}
        />
      </ConfirmDialog>
    </>
  );
}
