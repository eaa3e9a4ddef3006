// The operator's actions on the open cycle: the human step it waits for (the only one offered), and
// cancel/terminate behind a preview of what they will do (which phases get compensated, by which strategy, in
// which order), asked once, with a reason.
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useState, type FormEvent } from 'react';
import type { CompensationPreview, StepContext } from '../../../../main/api/contract';
import type { OpsFailure } from '../../ops/client';
import type { StepOperation } from '../../stores/cycle';
import { RfiAnswersDialog, ScopeApprovalDialog, TestResultsDialog } from './HumanStepDialogs';

type Step = 'scope_approval' | 'rfi_responses' | 'test_results';

const STEPS: Array<{ step: Step; label: string; testId: string; when: string }> = [
  {
    step: 'scope_approval',
    label: 'Approve scope',
    testId: 'action-approve-scope',
    when: 'Scope approval is given in Scoping, while the cycle waits for it.',
  },
  {
    step: 'rfi_responses',
    label: 'Answer RFIs',
    testId: 'action-rfi',
    when: 'RFI answers are recorded in Request for Information, while the cycle waits for them.',
  },
  {
    step: 'test_results',
    label: 'Record results',
    testId: 'action-results',
    when: 'Test results are recorded in Test Execution, while the cycle waits for them.',
  },
];
const MIN_REASON = 3;

export function CycleActions(props: {
  workflowId: string;
  running: boolean;
  /** The step the cycle waits for now (from its tracking rows), if any. */
  waitingFor: string[];
  busy: string | undefined;
  preview: CompensationPreview | undefined;
  stepContext: StepContext | undefined;
  stepError: OpsFailure | undefined;
  onOpenStep: () => void;
  onSendStep: (operation: StepOperation, input: Record<string, unknown>) => Promise<boolean>;
  onCloseStep: () => void;
  onPreview: (action: 'cancel' | 'terminate') => void;
  onClosePreview: () => void;
  onCancel: (reason: string) => void;
  onTerminate: (reason: string) => void;
}) {
  // Each opening mounts the dialog afresh (its key): nothing typed for one cycle or step shows up in another.
  const [dialog, setDialog] = useState<{ step: Step; opened: number } | undefined>();
  const waiting = STEPS.find((s) => props.waitingFor.includes(s.step));
  const close = () => {
    setDialog(undefined);
    props.onCloseStep();
  };
  const open = (step: Step) => {
    setDialog({ step, opened: Date.now() });
    props.onOpenStep();
  };
  const send = async (operation: StepOperation, input: Record<string, unknown>) => {
    if (await props.onSendStep(operation, input)) close();
  };
  const disabled = !props.running || props.busy !== undefined;
  const key = dialog ? `${props.workflowId}:${dialog.step}:${dialog.opened}` : undefined;
  const dialogProps = {
    context: props.stepContext,
    busy: props.busy === 'step',
    error: props.stepError,
    onClose: close,
    onSend: (operation: StepOperation, input: Record<string, unknown>) => void send(operation, input),
  };

  return (
    <>
      <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', alignItems: 'center' }}>
        {STEPS.map((s) => {
          const due = waiting?.step === s.step;
          return (
            <Tooltip key={s.step} title={due ? '' : s.when}>
              {/* A disabled button gets no pointer events: the span carries the tooltip. */}
              <span>
                <Button
                  variant={due ? 'contained' : 'outlined'}
                  disabled={disabled || !due}
                  onClick={() => open(s.step)}
                  data-testid={s.testId}
                >
                  {s.label}
                </Button>
              </span>
            </Tooltip>
          );
        })}
        <Button
          color="warning"
          disabled={disabled}
          onClick={() => props.onPreview('cancel')}
          data-testid="action-cancel"
        >
          Cancel…
        </Button>
        <Button
          color="error"
          disabled={disabled}
          onClick={() => props.onPreview('terminate')}
          data-testid="action-terminate"
        >
          Terminate…
        </Button>
        {props.running && (
          <Typography variant="body2" color="info.main" data-testid="waiting-for">
            {waiting
              ? `waiting for ${waiting.step === 'rfi_responses' ? 'RFI answers' : waiting.step.replace(/_/g, ' ')}`
              : 'not waiting for a person'}
          </Typography>
        )}
      </Stack>

      {dialog?.step === 'scope_approval' && <ScopeApprovalDialog key={key} {...dialogProps} />}
      {dialog?.step === 'rfi_responses' && <RfiAnswersDialog key={key} {...dialogProps} />}
      {dialog?.step === 'test_results' && <TestResultsDialog key={key} {...dialogProps} />}

      {props.preview && (
        <ActionPreviewDialog
          key={`${props.workflowId}:${props.preview.action}`}
          preview={props.preview}
          onClose={props.onClosePreview}
          onCancel={props.onCancel}
          onTerminate={props.onTerminate}
        />
      )}
    </>
  );
}

/** Cancel or terminate, behind what it will do; both need a reason (it goes to the history, ledger and audit). */
function ActionPreviewDialog(props: {
  preview: CompensationPreview;
  onClose: () => void;
  onCancel: (reason: string) => void;
  onTerminate: (reason: string) => void;
}) {
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  const short = reason.trim().length < MIN_REASON;
  const terminate = props.preview.action === 'terminate';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (short || props.preview.status !== 'running') return;
    if (terminate) props.onTerminate(reason.trim());
    else props.onCancel(reason.trim());
  };
  return (
    <Dialog open onClose={props.onClose} data-testid="preview-dialog" maxWidth="sm" fullWidth>
      <form onSubmit={submit} noValidate>
        <DialogTitle>{terminate ? 'Terminate this cycle?' : 'Cancel this cycle?'}</DialogTitle>
        <DialogContent>
          <Typography variant="body2" data-testid="preview-summary" gutterBottom>
            {props.preview.summary}
          </Typography>
          {props.preview.steps.length > 0 && (
            <List dense>
              {props.preview.steps.map((s) => (
                <ListItem
                  key={s.phase}
                  data-testid="preview-step"
                  data-phase={s.phase}
                  data-strategy={s.strategy}
                >
                  <ListItemText
                    primary={`${s.order}. ${s.label} — ${s.strategy.replace('_', ' ')}`}
                    secondary={
                      s.because === 'interrupted'
                        ? 'interrupted by the cancel: its partial work is undone'
                        : 'completed'
                    }
                  />
                </ListItem>
              ))}
            </List>
          )}
          {terminate && (
            <Alert severity="warning" sx={{ my: 1 }}>
              Terminate cannot be undone and skips compensation.
            </Alert>
          )}
          <TextField
            label="Reason"
            required
            fullWidth
            autoFocus
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            error={tried && short}
            helperText={
              tried && short
                ? 'Give a reason of a few words: it is kept in the history, the ledger and the audit.'
                : 'Kept in the history, the compensation ledger and the audit.'
            }
            slotProps={{ htmlInput: { 'data-testid': terminate ? 'terminate-reason' : 'cancel-reason' } }}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={props.onClose}>Keep it running</Button>
          <Button
            type="submit"
            color={terminate ? 'error' : 'warning'}
            variant="contained"
            disabled={props.preview.status !== 'running'}
            data-testid="preview-confirm"
          >
            {terminate ? 'Terminate' : 'Cancel and compensate'}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
