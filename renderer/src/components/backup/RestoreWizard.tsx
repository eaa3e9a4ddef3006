// The restore wizard: choose a set → verify it → see exactly what is replaced → type the names → restore → result.
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import MenuItem from '@mui/material/MenuItem';
import Step from '@mui/material/Step';
import StepLabel from '@mui/material/StepLabel';
import Stepper from '@mui/material/Stepper';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { BackupKind, RestorePlan, RestoreResult, Verification } from '../../../../main/api/contract';
import { formatGiven } from '../../forms';
import { useBackups } from '../../stores/backups';
import { ErrorAlert } from '../ErrorAlert';
import { JobProgress, formatBytes } from './JobProgress';

const STEPS = ['Choose a set', 'Verify', 'What is replaced', 'Confirm', 'Restore'];

export function RestoreWizard({
  open,
  initialSet,
  onClose,
}: {
  open: boolean;
  initialSet?: string;
  onClose: () => void;
}) {
  const { sets, verify, plan, restore, job, error, clearError } = useBackups();
  const [step, setStep] = useState(0);
  const [setId, setSetId] = useState(initialSet ?? sets[0]?.id ?? '');
  const chosen = sets.find((s) => s.id === setId);
  const [kinds, setKinds] = useState<BackupKind[]>(chosen?.kinds ?? ['app', 'temporal']);
  const [verification, setVerification] = useState<Verification | undefined>();
  const [thePlan, setPlan] = useState<RestorePlan | undefined>();
  const [typed, setTyped] = useState<Record<string, string>>({});
  const [result, setResult] = useState<RestoreResult | undefined>();
  const [working, setWorking] = useState(false);

  const close = () => {
    setStep(0);
    setVerification(undefined);
    setPlan(undefined);
    setTyped({});
    setResult(undefined);
    clearError();
    onClose();
  };
  const toggle = (k: BackupKind) =>
    setKinds((ks) => (ks.includes(k) ? ks.filter((x) => x !== k) : [...ks, k]));
  const doVerify = async () => {
    setStep(1);
    setWorking(true);
    setVerification(await verify(setId, false));
    setWorking(false);
  };
  const doPlan = async () => {
    setStep(2);
    setPlan(await plan(setId, kinds));
  };
  const doRestore = async () => {
    if (!thePlan) return;
    setStep(4);
    setWorking(true);
    setResult(
      await restore(
        setId,
        kinds,
        thePlan.replaces.map((r) => typed[r.database] ?? ''),
      ),
    );
    setWorking(false);
  };
  const allTyped = thePlan?.replaces.every((r) => typed[r.database] === r.database) ?? false;

  return (
    <Dialog open={open} onClose={working ? undefined : close} maxWidth="md" fullWidth>
      <DialogTitle>Restore</DialogTitle>
      <DialogContent>
        <Stepper activeStep={step} sx={{ mb: 3 }}>
          {STEPS.map((s) => (
            <Step key={s}>
              <StepLabel>{s}</StepLabel>
            </Step>
          ))}
        </Stepper>
        {step === 0 && (
          <>
            <TextField
              select
              fullWidth
              size="small"
              label="Backup set"
              value={setId}
              onChange={(e) => {
                setSetId(e.target.value);
                setKinds(sets.find((s) => s.id === e.target.value)?.kinds ?? []);
              }}
              data-testid="restore-set"
            >
              {sets.map((s) => (
                <MenuItem key={s.id} value={s.id}>
                  {s.id} — {s.databases.join(', ')} ({formatBytes(s.bytes)})
                </MenuItem>
              ))}
            </TextField>
            {chosen && (
              <>
                <FormControlLabel
                  control={<Checkbox checked={kinds.includes('app')} onChange={() => toggle('app')} />}
                  label="Restore the app DB"
                  disabled={!chosen.kinds.includes('app')}
                />
                <FormControlLabel
                  control={
                    <Checkbox checked={kinds.includes('temporal')} onChange={() => toggle('temporal')} />
                  }
                  label="Restore the Temporal DB"
                  disabled={!chosen.kinds.includes('temporal')}
                />
              </>
            )}
          </>
        )}
        {step === 1 && (
          <>
            {working && job?.action === 'verify' && <JobProgress job={job} />}
            {verification?.ok && (
              <Alert severity="success">
                Every file was read in full and matches its sha256 and table checksums.
              </Alert>
            )}
            {verification && !verification.ok && (
              <Alert severity="error" data-testid="restore-verify-failed">
                This set failed verification and cannot be restored:
                <List dense>
                  {verification.problems.map((p) => (
                    <ListItem key={p}>{p}</ListItem>
                  ))}
                </List>
              </Alert>
            )}
          </>
        )}
        {step === 2 && thePlan && (
          <>
            {thePlan.refusals.length > 0 ? (
              <Alert severity="error" data-testid="restore-refused">
                {thePlan.summary}
              </Alert>
            ) : (
              <Typography variant="body2" data-testid="restore-summary">
                {thePlan.summary}
              </Typography>
            )}
            <List dense>
              {thePlan.replaces.map((r) => (
                <ListItem key={r.database}>
                  <ListItemText
                    primary={`${r.database} (now ${formatBytes(r.currentSizeBytes)}) ← the copy taken ${new Date(r.backupTakenAt).toLocaleString()}`}
                    secondary={`The current ${r.database} is kept as ${r.keptAs} until you remove it.`}
                  />
                </ListItem>
              ))}
            </List>
          </>
        )}
        {step === 3 && thePlan && (
          <>
            <Typography variant="body2" gutterBottom>
              Type the name of each database to be replaced. Nothing stops while the new databases load and
              are checked; then the worker stops until the restore ends
              {kinds.includes('temporal')
                ? ', and the Temporal server restarts around its database\u2019s swap'
                : ''}
              .
            </Typography>
            {thePlan.replaces.map((r) => (
              <TextField
                key={r.database}
                size="small"
                fullWidth
                sx={{ my: 1 }}
                label={`Type ${r.database} to replace it`}
                value={typed[r.database] ?? ''}
                onChange={(e) => setTyped((t) => ({ ...t, [r.database]: e.target.value }))}
                error={Boolean(typed[r.database]) && typed[r.database] !== r.database}
                helperText={
                  Boolean(typed[r.database]) && typed[r.database] !== r.database
                    ? `Type the name exactly: ${r.database}; you gave ${formatGiven(typed[r.database])}.`
                    : undefined
                }
                slotProps={{ htmlInput: { 'data-testid': `confirm-${r.database}` } }}
              />
            ))}
          </>
        )}
        {step === 4 && (
          <>
            {working && job?.action === 'restore' && <JobProgress job={job} />}
            {result && (
              <Alert severity="success" data-testid="restore-done">
                Restored {result.restored.map((r) => r.database).join(', ')}: {result.checksumsMatched} tables
                match the backup (each data file&apos;s sha256 and each table&apos;s row count). Stack
                validation: {result.validation}. Previous databases kept as{' '}
                {result.restored.map((r) => r.keptOldAs).join(', ')}.
                {result.migrationsApplied.length > 0 &&
                  ` Newer migrations applied to the restored app DB: ${result.migrationsApplied.join(', ')}.`}
              </Alert>
            )}
            {result?.reconcile && (
              <Alert severity={result.reconcile.items.length ? 'warning' : 'info'} sx={{ mt: 1 }}>
                {result.reconcile.summary}{' '}
                {result.reconcile.items.length > 0 && 'See Reconciliation on the Backups page.'}
              </Alert>
            )}
            {error && (
              <>
                <ErrorAlert error={error} />
                <Typography variant="body2">
                  The previous databases are still in place and running.
                </Typography>
              </>
            )}
          </>
        )}
      </DialogContent>
      <DialogActions>
        {!working && <Button onClick={close}>{step === 4 ? 'Close' : 'Cancel'}</Button>}
        {step === 0 && (
          <Button
            variant="contained"
            disabled={!chosen || kinds.length === 0}
            onClick={() => void doVerify()}
          >
            Verify
          </Button>
        )}
        {step === 1 && verification?.ok && (
          <Button variant="contained" onClick={() => void doPlan()}>
            Next
          </Button>
        )}
        {step === 2 && thePlan && thePlan.refusals.length === 0 && (
          <Button variant="contained" onClick={() => setStep(3)}>
            Next
          </Button>
        )}
        {step === 3 && (
          <Button
            variant="contained"
            color="error"
            disabled={!allTyped}
            onClick={() => void doRestore()}
            data-testid="restore-start"
          >
            Replace {thePlan?.replaces.map((r) => r.database).join(', ')}
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
