// "Start cycle": cycle id, reports, phases to skip; validated with the contract's schema before it is sent.
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import FormLabel from '@mui/material/FormLabel';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState } from 'react';
import {
  PHASES,
  StartCycleInputSchema,
  type PhaseId,
  type StartCycleInput,
} from '../../../../main/api/contract';
import { asFailure, type OpsFailure } from '../../ops/client';

export function StartCycleDialog(props: {
  open: boolean;
  onClose: () => void;
  onStart: (input: StartCycleInput) => Promise<OpsFailure | undefined>;
  onCreateDemoData: () => Promise<number[]>;
}) {
  const [cycleId, setCycleId] = useState('');
  const [reports, setReports] = useState('1, 2, 3');
  const [skip, setSkip] = useState<PhaseId[]>([]);
  const [autoApprove, setAutoApprove] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<OpsFailure | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const parsed = StartCycleInputSchema.safeParse({
      cycleId: cycleId.trim() === '' ? NaN : Number(cycleId),
      reportIds: reports
        .split(/[\s,]+/)
        .filter(Boolean)
        .map(Number),
      skipPhases: skip,
      ...(autoApprove ? { autoApprove: true } : {}),
    });
    if (!parsed.success) {
      const next: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const key = String(issue.path[0] ?? 'form');
        next[key] ??= key === 'cycleId' ? 'A cycle id is a positive whole number' : issue.message;
      }
      setErrors(next);
      return;
    }
    setErrors({});
    setBusy(true);
    const err = await props.onStart(parsed.data);
    setBusy(false);
    if (err) setFailure(err);
    else props.onClose();
  };

  return (
    <Dialog
      open={props.open}
      onClose={props.onClose}
      data-testid="start-cycle-dialog"
      maxWidth="sm"
      fullWidth
    >
      <DialogTitle>Start a test cycle</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          <TextField
            label="Cycle id"
            value={cycleId}
            onChange={(e) => setCycleId(e.target.value)}
            error={!!errors.cycleId}
            helperText={
              errors.cycleId ?? 'The workflow is test-cycle-<id>; starting a running id again opens it.'
            }
            slotProps={{ htmlInput: { 'data-testid': 'start-cycle-id', inputMode: 'numeric' } }}
            autoFocus
          />
          <TextField
            label="Report ids"
            value={reports}
            onChange={(e) => setReports(e.target.value)}
            error={!!errors.reportIds}
            helperText={errors.reportIds ?? 'Comma-separated ids of reports in the app DB.'}
            slotProps={{ htmlInput: { 'data-testid': 'start-cycle-reports' } }}
          />
          <div>
            <FormLabel component="legend">Phases to skip</FormLabel>
            <FormGroup row>
              {PHASES.map((p) => (
                <FormControlLabel
                  key={p.id}
                  label={`${p.number}. ${p.label}`}
                  control={
                    <Checkbox
                      size="small"
                      checked={skip.includes(p.id)}
                      onChange={(e) =>
                        setSkip((s) => (e.target.checked ? [...s, p.id] : s.filter((x) => x !== p.id)))
                      }
                      slotProps={{ input: { 'data-testid': `start-cycle-skip-${p.id}` } as object }}
                    />
                  }
                />
              ))}
            </FormGroup>
            {errors.skipPhases && <Alert severity="error">{errors.skipPhases}</Alert>}
          </div>
          <FormControlLabel
            label="Approve the human steps automatically (scope, RFI answers, test results)"
            control={
              <Checkbox
                size="small"
                checked={autoApprove}
                onChange={(e) => setAutoApprove(e.target.checked)}
                slotProps={{ input: { 'data-testid': 'start-cycle-auto' } as object }}
              />
            }
          />
          {failure && (
            <Alert severity="error" data-testid="start-cycle-error" onClose={() => setFailure(undefined)}>
              {failure.message} {failure.hint}
            </Alert>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button
          onClick={() =>
            void props
              .onCreateDemoData()
              .then((ids) => setReports(ids.join(', ')))
              .catch((err: unknown) => setFailure(asFailure(err)))
          }
          data-testid="start-cycle-demo-data"
          sx={{ mr: 'auto' }}
        >
          Create demo reports
        </Button>
        <Button onClick={props.onClose}>Close</Button>
        <Button
          variant="contained"
          onClick={() => void submit()}
          disabled={busy}
          data-testid="start-cycle-submit"
        >
          Start
        </Button>
      </DialogActions>
    </Dialog>
  );
}
