// Point-in-time recovery: archiving health per cluster, the recovery timeline, and recover both DBs to one moment.
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import LinearProgress from '@mui/material/LinearProgress';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import { ArchiveHealthCards } from '../components/ArchiveHealthCards';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { RecoveryTimelineView } from '../components/RecoveryTimelineView';
import { operations } from '../../../main/api/contract';
import { useContractForm } from '../forms';
import { useRecovery } from '../stores/recovery';

export function RecoveryPage() {
  const {
    health,
    timeline,
    plan,
    result,
    steps,
    busy,
    error,
    load,
    enableArchiving,
    baseBackup,
    check,
    recover,
    clearError,
  } = useRecovery();
  const [to, setTo] = useState('');
  const [inclusive, setInclusive] = useState(true);
  const [confirm, setConfirm] = useState(false);

  useEffect(() => {
    void load();
  }, [load]);

  const archivingOff = health.length > 0 && health.some((h) => !h.enabled);
  const form = useContractForm(
    operations['recovery.check'].input,
    { to: to.trim() === '' ? undefined : to.trim() },
    {
      labels: { to: 'Recover to' },
      given: { to },
      help: { to: 'Both databases go to this same moment, for example 2026-11-25T14:02:59Z' },
    },
  );
  const valid = form.valid;
  const planFor = plan && valid && plan.to === new Date(to).toISOString() ? plan : undefined;

  return (
    <Box>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 2 }}>
        <Typography variant="h5" sx={{ flex: 1 }}>
          Point-in-time recovery
        </Typography>
        <Button onClick={() => void load()} disabled={Boolean(busy)} data-testid="recovery-refresh">
          Refresh
        </Button>
        <Button
          variant="outlined"
          onClick={() => void baseBackup()}
          disabled={Boolean(busy) || archivingOff}
          data-testid="recovery-base-backup"
        >
          Take base backup
        </Button>
      </Stack>
      {busy && <LinearProgress sx={{ mb: 1 }} />}
      {error && <ErrorAlert error={error} onClose={clearError} />}
      {archivingOff && (
        <Alert
          severity="info"
          sx={{ mb: 2 }}
          action={
            <Button onClick={() => void enableArchiving()} data-testid="recovery-enable">
              Turn on
            </Button>
          }
        >
          Continuous archiving is off, so the databases can only go back to a backup set. Turn it on, then
          restart the stack: both clusters will archive every WAL segment and take base backups on a schedule.
        </Alert>
      )}
      <ArchiveHealthCards health={health} />
      {timeline && (
        <RecoveryTimelineView timeline={timeline} selected={valid ? to : undefined} onPick={setTo} />
      )}
      <Stack direction={{ xs: 'column', md: 'row' }} spacing={2} sx={{ mt: 3, alignItems: 'center' }}>
        <TextField
          label="Recover to (ISO date and time)"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          {...form.field('to')}
          sx={{ minWidth: 420 }}
          slotProps={{ htmlInput: { 'data-testid': 'recovery-to' } }}
        />
        <FormControlLabel
          control={<Checkbox checked={inclusive} onChange={(e) => setInclusive(e.target.checked)} />}
          label="Include a transaction committed exactly then"
        />
        <Button
          variant="outlined"
          disabled={!valid || Boolean(busy)}
          onClick={() => void check(new Date(to).toISOString())}
          data-testid="recovery-check"
        >
          Check
        </Button>
        <Button
          variant="contained"
          color="error"
          disabled={!planFor?.ok || Boolean(busy)}
          onClick={() => setConfirm(true)}
          data-testid="recovery-recover"
        >
          Recover…
        </Button>
      </Stack>
      {planFor && (
        <List dense data-testid="recovery-plan">
          {planFor.clusters.map((c) => (
            <ListItem key={c.cluster}>
              <ListItemText
                primary={`${c.ok ? '✓' : '✗'} ${c.cluster}`}
                secondary={
                  c.ok ? `from the base backup ${c.baseBackup}; archive reaches ${c.reachesUntil}` : c.reason
                }
              />
            </ListItem>
          ))}
        </List>
      )}
      {steps.length > 0 && (
        <List dense data-testid="recovery-steps">
          {steps.map((s) => (
            <ListItem key={s.step}>
              <ListItemText primary={`${s.step}: ${s.state}`} secondary={s.detail} />
            </ListItem>
          ))}
        </List>
      )}
      {result && (
        <Alert severity="success" sx={{ mt: 2 }} data-testid="recovery-result">
          Both databases are at {new Date(result.to).toLocaleString()} (validation: {result.validation}). The
          previous data folders are kept: {result.clusters.map((c) => c.oldDataDir).join(', ')}.
        </Alert>
      )}
      <ConfirmDialog
        open={confirm}
        title="Recover both databases?"
        confirmLabel="Recover both"
        onCancel={() => setConfirm(false)}
        onConfirm={() => {
          setConfirm(false);
          void recover(new Date(to).toISOString(), inclusive);
        }}
      >
        This replaces the app DB (synapse_dt on app-postgres) and the Temporal DB (temporal and
        temporal_visibility on temporal-postgres) with their state at{' '}
        {valid ? new Date(to).toLocaleString() : '—'}. The worker and Temporal stop while the databases are
        swapped; everything written after that moment is no longer in the live databases. Their current
        folders are kept aside, and any failure puts them back.
      </ConfirmDialog>
    </Box>
  );
}
