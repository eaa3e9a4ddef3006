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
import { useState, type FormEvent } from 'react';
import {
  PHASES,
  StartCycleInputSchema,
  type PhaseId,
  type StartCycleInput,
} from '../../../../main/api/contract';
import { FormErrors, useContractForm } from '../../forms';
import { asFailure, ops, type OpsFailure } from '../../ops/client';
import { isStackDown, useLive } from '../../stores/live';

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
  const [waitForOperator, setWaitForOperator] = useState(false);
  const [failure, setFailure] = useState<OpsFailure | undefined>();
  const [busy, setBusy] = useState(false);
  // A cycle needs the stack: while it is down the dialog says so and offers to start it, and Start waits.
  const stack = useLive((s) => s.stack);
  const down = isStackDown(stack);
  const [startingStack, setStartingStack] = useState(false);
  const startStack = () => {
    setStartingStack(true);
    setFailure(undefined);
    ops
      .call('stack.start', {})
      .catch((err: unknown) => setFailure(asFailure(err)))
      .finally(() => setStartingStack(false));
  };
  const tokens = reports.split(/[\s,]+/).filter(Boolean);
  const form = useContractForm(
    StartCycleInputSchema,
    {
      cycleId: cycleId.trim() === '' ? undefined : Number(cycleId),
      reportIds: tokens.map(Number),
      skipPhases: skip,
      ...(autoApprove ? { autoApprove: true } : {}),
      ...(waitForOperator ? { waitForOperator: true } : {}),
    },
    {
      labels: { cycleId: 'Cycle id', reportIds: 'Report ids', skipPhases: 'Phases to skip' },
      given: {
        cycleId,
        reportIds: reports,
        skipPhases: skip,
        ...Object.fromEntries(tokens.map((t, i) => [`reportIds.${i}`, t])),
      },
      help: {
        cycleId: 'A whole number; the workflow is test-cycle-<id>, and starting a running id again opens it.',
        reportIds: 'Comma-separated ids of reports in the app DB.',
      },
    },
  );

  const submit = async () => {
    if (!form.data) return form.reveal();
    setBusy(true);
    setFailure(undefined);
    const refused = await props.onStart(form.data);
    setBusy(false);
    if (!refused) return props.onClose();
    // A refused input goes onto its field; anything else (Temporal down, read-only) to the banner.
    setFailure(form.absorb(refused));
  };

  return (
    <Dialog
      open={props.open}
      onClose={props.onClose}
      data-testid="start-cycle-dialog"
      maxWidth="sm"
      fullWidth
      slotProps={{
        paper: {
          component: 'form',
          noValidate: true,
          onSubmit: (e: FormEvent) => {
            e.preventDefault();
            void submit();
          },
        } as object,
      }}
    >
      <DialogTitle>Start a test cycle</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          <TextField
            label="Cycle id"
            value={cycleId}
            onChange={(e) => setCycleId(e.target.value)}
            {...form.field('cycleId')}
            slotProps={{ htmlInput: { 'data-testid': 'start-cycle-id', inputMode: 'numeric' } }}
            autoFocus
          />
          <TextField
            label="Report ids"
            value={reports}
            onChange={(e) => setReports(e.target.value)}
            {...form.field('reportIds')}
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
            {form.errorOf('skipPhases') && <Alert severity="error">{form.errorOf('skipPhases')}</Alert>}
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
          <FormControlLabel
            label="If a phase fails for good, wait for me (retry, skip or abandon) instead of ending the cycle"
            control={
              <Checkbox
                size="small"
                checked={waitForOperator}
                onChange={(e) => setWaitForOperator(e.target.checked)}
                slotProps={{ input: { 'data-testid': 'start-cycle-wait' } as object }}
              />
            }
          />
          <FormErrors errors={form.formErrors} />
          {down && (
            <Alert
              severity="info"
              data-testid="start-cycle-stack-down"
              action={
                <Button
                  color="inherit"
                  size="small"
                  onClick={startStack}
                  disabled={startingStack || stack === 'starting' || stack === 'stopping'}
                  data-testid="start-cycle-start-stack"
                >
                  {startingStack || stack === 'starting' ? 'Starting…' : 'Start the stack'}
                </Button>
              }
            >
              The stack is {stack}: a cycle can start once it runs.
            </Alert>
          )}
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
          disabled={down}
          sx={{ mr: 'auto' }}
        >
          Create demo reports
        </Button>
        <Button onClick={props.onClose}>Close</Button>
        <Button
          variant="contained"
          type="submit"
          disabled={busy || !form.valid || down}
          data-testid="start-cycle-submit"
        >
          Start
        </Button>
      </DialogActions>
    </Dialog>
  );
}
