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
import { ArchivingOffPanel } from '../components/ArchivingOffPanel';
import { MOMENT_FORMATS, parseMoment, recoveryChoices, recoveryState } from '../recovery/choices';
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
    archivingRequested,
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

  const state = recoveryState(health);
  const parsed = parseMoment(to);
  const touched = to.trim() !== '';
  const iso = parsed.ok ? parsed.iso : undefined;
  const planFor = plan && iso && plan.to === iso ? plan : undefined;
  const choices = timeline ? recoveryChoices(timeline.marks) : [];

  return (
    <Box>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 2 }}>
        <Typography variant="h5" component="h1" sx={{ flex: 1 }}>
          Point-in-time recovery
        </Typography>
        <Button onClick={() => void load()} disabled={Boolean(busy)} data-testid="recovery-refresh">
          Refresh
        </Button>
        <Button
          variant="outlined"
          onClick={() => void baseBackup()}
          disabled={Boolean(busy) || (state !== 'no-base-backup' && state !== 'ready')}
          data-testid="recovery-base-backup"
        >
          Take base backup
        </Button>
      </Stack>
      {busy && <LinearProgress sx={{ mb: 1 }} />}
      {error && <ErrorAlert error={error} onClose={clearError} />}
      {state === 'archiving-off' && (
        <ArchivingOffPanel
          busy={Boolean(busy)}
          turnedOn={archivingRequested}
          onTurnOn={() => void enableArchiving()}
        />
      )}
      {(state === 'no-base-backup' || state === 'ready') && <ArchiveHealthCards health={health} />}
      {state === 'no-base-backup' && (
        <Alert
          severity="info"
          sx={{ mb: 2 }}
          data-testid="recovery-needs-base-backup"
          action={
            <Button onClick={() => void baseBackup()} disabled={Boolean(busy)}>
              Take base backup
            </Button>
          }
        >
          Archiving runs. Recovery starts from a base backup of each cluster and replays the archive after it:
          take the first one now (the schedule takes the next ones). Moments to recover to show once it
          exists.
        </Alert>
      )}
      {state === 'ready' && timeline && (
        <RecoveryTimelineView timeline={timeline} choices={choices} selected={iso} onPick={setTo} />
      )}
      {state === 'ready' && (
        <Stack direction={{ xs: 'column', md: 'row' }} spacing={2} sx={{ mt: 3, alignItems: 'flex-start' }}>
          <TextField
            label="Recover to (date and time)"
            value={to}
            onChange={(e) => setTo(e.target.value)}
            error={touched && !parsed.ok}
            helperText={
              touched && !parsed.ok
                ? parsed.message
                : `Both databases go to this same moment: ${MOMENT_FORMATS}`
            }
            sx={{ minWidth: 420, maxWidth: 520 }}
            slotProps={{ htmlInput: { 'data-testid': 'recovery-to' } }}
          />
          <FormControlLabel
            control={<Checkbox checked={inclusive} onChange={(e) => setInclusive(e.target.checked)} />}
            label="Include a transaction committed exactly then"
          />
          <Button
            variant="outlined"
            disabled={!iso || Boolean(busy)}
            onClick={() => iso && void check(iso)}
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
      )}
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
          if (iso) void recover(iso, inclusive);
        }}
      >
        This replaces the app DB (synapse_dt on app-postgres) and the Temporal DB (temporal and
        temporal_visibility on temporal-postgres) with their state at{' '}
        {iso ? new Date(iso).toLocaleString() : '—'}. The worker and Temporal stop while the databases are
        swapped; everything written after that moment is no longer in the live databases. Their current
        folders are kept aside, and any failure puts them back.
      </ConfirmDialog>
    </Box>
  );
}
