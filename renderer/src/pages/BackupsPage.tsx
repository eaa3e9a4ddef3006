// Backups: the sets with size, age, contents and verification; the backup and restore wizards; what restores
// left behind; reconciliation of the app DB with Temporal; the schedule and retention rule.
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import FormControlLabel from '@mui/material/FormControlLabel';
import Stack from '@mui/material/Stack';
import Switch from '@mui/material/Switch';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useEffect, useState, type FormEvent } from 'react';
import { BackupScheduleSchema, type BackupSchedule } from '../../../main/api/contract';
import { BackupWizard } from '../components/backup/BackupWizard';
import { JobProgress, formatBytes } from '../components/backup/JobProgress';
import { RestoreWizard } from '../components/backup/RestoreWizard';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { FormErrors, useContractForm } from '../forms';
import type { OpsFailure } from '../ops/client';
import { useBackups } from '../stores/backups';
import { SetsTable } from '../components/backup/SetsTable';

function Leftovers() {
  const { leftovers, partials, dropLeftover, remove } = useBackups();
  const [dropping, setDropping] = useState<string | undefined>();
  if (leftovers.length === 0 && partials.length === 0) return null;
  return (
    <Card variant="outlined" sx={{ mt: 3 }}>
      <CardContent>
        <Typography variant="h6">Left behind by restores and interrupted backups</Typography>
        <Typography variant="body2" color="text.secondary" gutterBottom>
          A restore keeps the databases it replaced (*_old_*); an interrupted one may leave *_restore_*.
          Remove them once you are sure you do not need them.
        </Typography>
        {partials.map((p) => (
          <Stack direction="row" key={p.id} spacing={2} sx={{ alignItems: 'center' }}>
            <Typography variant="body2" sx={{ flex: 1 }}>
              {p.id}: an unfinished backup (interrupted), {formatBytes(p.bytes)}; it can never be restored
            </Typography>
            <Button size="small" color="error" onClick={() => void remove(p.id)}>
              Remove
            </Button>
          </Stack>
        ))}
        {leftovers.map((l) => (
          <Stack direction="row" key={l.database} spacing={2} sx={{ alignItems: 'center' }}>
            <Typography variant="body2" sx={{ flex: 1 }}>
              {l.database} ({l.kind === 'app' ? 'app' : 'Temporal'} PostgreSQL, {formatBytes(l.sizeBytes)})
            </Typography>
            <Button size="small" color="error" onClick={() => setDropping(l.database)}>
              Remove
            </Button>
          </Stack>
        ))}
      </CardContent>
      <ConfirmDialog
        open={Boolean(dropping)}
        title="Remove database"
        confirmLabel={`Drop ${dropping ?? ''}`}
        onCancel={() => setDropping(undefined)}
        onConfirm={() => {
          if (dropping) void dropLeftover(dropping);
          setDropping(undefined);
        }}
      >
        Drop the database {dropping}? Its data is gone for good.
      </ConfirmDialog>
    </Card>
  );
}

function Reconciliation() {
  const { reconcile, runReconcile, restartCycle, busy } = useBackups();
  return (
    <Card variant="outlined" sx={{ mt: 3 }}>
      <CardContent>
        <Stack direction="row" sx={{ alignItems: 'center', justifyContent: 'space-between' }}>
          <Typography variant="h6">Reconciliation</Typography>
          <Button size="small" disabled={busy} onClick={() => void runReconcile()} data-testid="reconcile">
            Compare app DB with Temporal
          </Button>
        </Stack>
        <Typography variant="body2" color="text.secondary">
          After a restore, or when either database was lost: cycles in flight that Temporal does not know, and
          workflows without tracking rows, each with the action that fixes it.
        </Typography>
        {reconcile && (
          <Box sx={{ mt: 1 }} data-testid="reconcile-report">
            <Alert severity={reconcile.items.length ? 'warning' : 'success'}>{reconcile.summary}</Alert>
            {reconcile.items.map((i) => (
              <Stack
                key={i.workflowId + i.problem}
                direction="row"
                spacing={2}
                sx={{ mt: 1, alignItems: 'center' }}
              >
                <Box sx={{ flex: 1 }}>
                  <Typography variant="body2">{i.detail}</Typography>
                  <Typography variant="caption" color="text.secondary">
                    Fix: {i.action}
                  </Typography>
                </Box>
                {i.problem !== 'untracked-workflow' && i.cycleId !== undefined && i.reportIds && (
                  <Button
                    size="small"
                    variant="outlined"
                    disabled={busy || !reconcile.temporalReachable}
                    onClick={() =>
                      void restartCycle({
                        cycleId: i.cycleId!,
                        reportIds: i.reportIds!,
                        skipPhases: i.skipPhases ?? [],
                      })
                    }
                  >
                    Restart cycle {i.cycleId}
                  </Button>
                )}
              </Stack>
            ))}
          </Box>
        )}
      </CardContent>
    </Card>
  );
}

/** The schedule as typed: numbers stay text until the contract's schema has checked them. */
interface ScheduleDraft {
  enabled: boolean;
  everyHours: string;
  keepLast: string;
  keepDays: string;
  kinds: BackupSchedule['kinds'];
}

const toDraft = (s: BackupSchedule): ScheduleDraft => ({
  enabled: s.enabled,
  everyHours: String(s.everyHours),
  keepLast: s.keepLast === undefined ? '' : String(s.keepLast),
  keepDays: s.keepDays === undefined ? '' : String(s.keepDays),
  kinds: s.kinds,
});

const numberOrAbsent = (text: string) => (text.trim() === '' ? undefined : Number(text));

function ScheduleCard() {
  const { schedule, saveSchedule } = useBackups();
  const [draft, setDraft] = useState<ScheduleDraft | undefined>(schedule && toDraft(schedule));
  const [failure, setFailure] = useState<OpsFailure | undefined>();
  const [saved, setSaved] = useState(false);
  useEffect(() => setDraft(schedule && toDraft(schedule)), [schedule]);
  const form = useContractForm(
    BackupScheduleSchema,
    draft && {
      enabled: draft.enabled,
      everyHours: draft.everyHours.trim() === '' ? undefined : Number(draft.everyHours),
      kinds: draft.kinds,
      keepLast: numberOrAbsent(draft.keepLast),
      keepDays: numberOrAbsent(draft.keepDays),
    },
    {
      labels: {
        everyHours: 'Every (hours)',
        keepLast: 'Keep last',
        keepDays: 'Keep days',
        kinds: 'Databases',
      },
      given: { everyHours: draft?.everyHours, keepLast: draft?.keepLast, keepDays: draft?.keepDays },
      help: {
        everyHours: 'From 0.01 to 744',
        keepLast: '1 to 1000 sets; empty: all',
        keepDays: 'Empty: no age limit',
      },
    },
  );
  if (!draft) return null;
  const submit = async () => {
    if (!form.data) return form.reveal();
    setFailure(undefined);
    const refused = await saveSchedule(form.data);
    setFailure(form.absorb(refused));
    setSaved(!refused);
  };
  const numberField = (key: 'everyHours' | 'keepLast' | 'keepDays', label: string) => (
    <TextField
      size="small"
      type="number"
      label={label}
      sx={{ width: 200 }}
      value={draft[key]}
      onChange={(e) => {
        setSaved(false);
        setDraft({ ...draft, [key]: e.target.value });
      }}
      {...form.field(key)}
      slotProps={{ htmlInput: { 'data-testid': `schedule-${key}` } }}
    />
  );
  return (
    <Card variant="outlined" sx={{ mt: 3 }}>
      <CardContent>
        <Typography variant="h6">Schedule and retention</Typography>
        <Typography variant="body2" color="text.secondary" gutterBottom>
          While the console runs, back up both databases (worker paused) at this interval, and keep only the
          newest sets.
        </Typography>
        <Stack
          component="form"
          noValidate
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            void submit();
          }}
          direction="row"
          spacing={2}
          sx={{ alignItems: 'flex-start', flexWrap: 'wrap' }}
        >
          <FormControlLabel
            control={
              <Switch
                checked={draft.enabled}
                onChange={(e) => setDraft({ ...draft, enabled: e.target.checked })}
              />
            }
            label="Scheduled backups"
          />
          {numberField('everyHours', 'Every (hours)')}
          {numberField('keepLast', 'Keep last')}
          {numberField('keepDays', 'Keep days')}
          <Button variant="outlined" type="submit" disabled={!form.valid} data-testid="schedule-save">
            Save
          </Button>
          {saved && (
            <Typography variant="body2" color="success.main" sx={{ alignSelf: 'center' }}>
              Saved
            </Typography>
          )}
        </Stack>
        <FormErrors errors={form.formErrors} />
        {failure && <ErrorAlert error={failure} onClose={() => setFailure(undefined)} />}
      </CardContent>
    </Card>
  );
}

export function BackupsPage() {
  const { load, job, cancel, error, clearError, sets } = useBackups();
  const [backupOpen, setBackupOpen] = useState(false);
  const [restoreSet, setRestoreSet] = useState<string | undefined>();
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <Box data-testid="backups-page">
      <Stack direction="row" sx={{ mb: 2, alignItems: 'center', justifyContent: 'space-between' }}>
        <Typography variant="h5" component="h1">
          Backups
        </Typography>
        <Stack direction="row" spacing={1}>
          <Button variant="contained" onClick={() => setBackupOpen(true)} data-testid="open-backup-wizard">
            Back up…
          </Button>
          <Button
            variant="outlined"
            disabled={sets.length === 0}
            onClick={() => setRestoreSet(sets[0]?.id)}
            data-testid="open-restore-wizard"
          >
            Restore…
          </Button>
        </Stack>
      </Stack>
      {error && !backupOpen && !restoreSet && <ErrorAlert error={error} onClose={clearError} />}
      {job && (job.state === 'running' || !backupOpen) && (
        <JobProgress job={job} onCancel={() => void cancel()} />
      )}
      <SetsTable onRestore={setRestoreSet} />
      <Leftovers />
      <Reconciliation />
      <ScheduleCard />
      <BackupWizard open={backupOpen} onClose={() => setBackupOpen(false)} />
      {restoreSet && <RestoreWizard open initialSet={restoreSet} onClose={() => setRestoreSet(undefined)} />}
    </Box>
  );
}
