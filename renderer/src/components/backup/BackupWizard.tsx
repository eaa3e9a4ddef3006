// The backup wizard: what to back up → review in plain words → back up with progress.
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import Step from '@mui/material/Step';
import StepLabel from '@mui/material/StepLabel';
import Stepper from '@mui/material/Stepper';
import Switch from '@mui/material/Switch';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { operations, type BackupKind, type BackupSetSummary } from '../../../../main/api/contract';
import { useContractForm } from '../../forms';
import { useBackups } from '../../stores/backups';
import { ErrorAlert } from '../ErrorAlert';
import { JobProgress, formatBytes } from './JobProgress';

const STEPS = ['Choose', 'Review', 'Back up'];

export function BackupWizard({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { create, job, cancel, error, clearError } = useBackups();
  const [step, setStep] = useState(0);
  const [app, setApp] = useState(true);
  const [temporal, setTemporal] = useState(true);
  const [quiesce, setQuiesce] = useState(true);
  const [label, setLabel] = useState('');
  const [result, setResult] = useState<BackupSetSummary | undefined>();
  const kinds: BackupKind[] = [
    ...(app ? (['app'] as const) : []),
    ...(temporal ? (['temporal'] as const) : []),
  ];
  const form = useContractForm(
    operations['backups.create'].input,
    { kinds, quiesce, ...(label ? { label } : {}) },
    {
      labels: { kinds: 'Databases to back up', label: 'Note' },
      given: { kinds, label },
      help: { label: 'Optional, up to 200 characters' },
    },
  );
  const what = [
    app ? 'the app DB (synapse_dt)' : '',
    temporal ? 'the Temporal DB (temporal, temporal_visibility)' : '',
  ]
    .filter(Boolean)
    .join(' and ');

  const close = () => {
    setStep(0);
    setResult(undefined);
    clearError();
    onClose();
  };
  const run = async () => {
    if (!form.data) return;
    setStep(2);
    setResult(await create(form.data));
  };

  return (
    <Dialog open={open} onClose={step === 2 && !result && !error ? undefined : close} maxWidth="sm" fullWidth>
      <DialogTitle>Back up</DialogTitle>
      <DialogContent>
        <Stepper activeStep={step} sx={{ mb: 3 }}>
          {STEPS.map((s) => (
            <Step key={s}>
              <StepLabel>{s}</StepLabel>
            </Step>
          ))}
        </Stepper>
        {step === 0 && (
          <FormGroup>
            <FormControlLabel
              control={<Checkbox checked={app} onChange={(e) => setApp(e.target.checked)} />}
              label="App DB (synapse_dt): business data and workflow tracking"
            />
            <FormControlLabel
              control={<Checkbox checked={temporal} onChange={(e) => setTemporal(e.target.checked)} />}
              label="Temporal DB (temporal, temporal_visibility): running workflows and their histories"
            />
            <FormControlLabel
              control={<Switch checked={quiesce} onChange={(e) => setQuiesce(e.target.checked)} />}
              label="Pause the worker meanwhile, so both databases are from the same moment (recommended)"
            />
            <TextField
              size="small"
              label="Note (optional)"
              value={label}
              onChange={(e) => setLabel(e.target.value)}
              {...form.field('label')}
              sx={{ mt: 2 }}
              slotProps={{ htmlInput: { 'data-testid': 'backup-label' } }}
            />
            {form.errorOf('kinds') && (
              <Typography variant="body2" color="error" data-testid="backup-kinds-error">
                {form.errorOf('kinds')}
              </Typography>
            )}
          </FormGroup>
        )}
        {step === 1 && (
          <Typography variant="body2" data-testid="backup-summary">
            Back up {what} into one set. Every file is written under a temporary name and only appears once it
            is complete and synced; each file&apos;s sha256 and each table&apos;s checksum go into the
            set&apos;s manifest.{' '}
            {quiesce
              ? 'The worker finishes the activities in flight, takes no new work until the backup ends, then resumes: cycles wait a little but nothing is lost.'
              : 'The worker keeps running: the manifest records how far apart the databases were read, and they may disagree about cycles that moved meanwhile.'}
          </Typography>
        )}
        {step === 2 && (
          <>
            {job && job.action === 'create' && <JobProgress job={job} onCancel={() => void cancel()} />}
            {result && (
              <Alert severity="success" data-testid="backup-done">
                Set {result.id} written: {result.databases.join(', ')}, {formatBytes(result.bytes)}, verified.
              </Alert>
            )}
            {error && <ErrorAlert error={error} />}
          </>
        )}
      </DialogContent>
      <DialogActions>
        {step < 2 && <Button onClick={close}>Cancel</Button>}
        {step === 1 && <Button onClick={() => setStep(0)}>Back</Button>}
        {step === 0 && (
          <Button
            variant="contained"
            disabled={!form.valid}
            onClick={() => setStep(1)}
            data-testid="backup-next"
          >
            Next
          </Button>
        )}
        {step === 1 && (
          <Button variant="contained" onClick={() => void run()} data-testid="backup-start">
            Back up now
          </Button>
        )}
        {step === 2 && (result || error) && <Button onClick={close}>Close</Button>}
      </DialogActions>
    </Dialog>
  );
}
