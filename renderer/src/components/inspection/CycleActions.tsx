// The operator's actions on the open cycle: the workflow's signals, and cancel/terminate behind a preview of
// what they will do (which phases get compensated, by which strategy, in which order), asked once.
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
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { CompensationPreview } from '../../../../main/api/contract';

type Signal = 'approveScope' | 'rfiResponse' | 'testResult';

export function CycleActions(props: {
  running: boolean;
  waitingFor: string[];
  reportIds: number[];
  busy: string | undefined;
  preview: CompensationPreview | undefined;
  onSignal: (signal: Signal, payload: Record<string, unknown>) => Promise<boolean>;
  onPreview: (action: 'cancel' | 'terminate') => void;
  onClosePreview: () => void;
  onCancel: () => void;
  onTerminate: (reason: string) => void;
}) {
  const [dialog, setDialog] = useState<'approve' | 'rfi' | 'results' | undefined>();
  const [by, setBy] = useState('operator');
  const [note, setNote] = useState('');
  const [answers, setAnswers] = useState<Record<number, string>>({});
  const [result, setResult] = useState<'pass' | 'fail'>('pass');
  const [reason, setReason] = useState('');
  const waiting = (step: string) => props.waitingFor.includes(step);
  const close = () => setDialog(undefined);
  const send = async (signal: Signal, payload: Record<string, unknown>) => {
    if (await props.onSignal(signal, payload)) close();
  };
  const disabled = !props.running || props.busy !== undefined;

  return (
    <>
      <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', alignItems: 'center' }}>
        <Button
          variant={waiting('scope_approval') ? 'contained' : 'outlined'}
          disabled={disabled}
          onClick={() => setDialog('approve')}
          data-testid="action-approve-scope"
        >
          Approve scope
        </Button>
        <Button
          variant={waiting('rfi_responses') ? 'contained' : 'outlined'}
          disabled={disabled}
          onClick={() => setDialog('rfi')}
          data-testid="action-rfi"
        >
          Answer RFIs
        </Button>
        <Button
          variant={waiting('test_results') ? 'contained' : 'outlined'}
          disabled={disabled}
          onClick={() => setDialog('results')}
          data-testid="action-results"
        >
          Record results
        </Button>
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
        {props.waitingFor.length > 0 && (
          <Typography variant="body2" color="info.main" data-testid="waiting-for">
            waiting for {props.waitingFor.join(', ').replace(/_/g, ' ')}
          </Typography>
        )}
      </Stack>

      <Dialog open={dialog === 'approve'} onClose={close} data-testid="approve-dialog">
        <DialogTitle>Scope approval</DialogTitle>
        <DialogContent>
          <Stack spacing={2} sx={{ pt: 1, minWidth: 360 }}>
            <TextField label="Approved by" value={by} onChange={(e) => setBy(e.target.value)} />
            <TextField label="Note" value={note} onChange={(e) => setNote(e.target.value)} multiline />
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={close}>Close</Button>
          <Button
            color="error"
            disabled={!by.trim()}
            onClick={() => void send('approveScope', { approved: false, by, ...(note ? { note } : {}) })}
            data-testid="approve-reject"
          >
            Reject (fails the cycle)
          </Button>
          <Button
            variant="contained"
            disabled={!by.trim()}
            onClick={() => void send('approveScope', { approved: true, by, ...(note ? { note } : {}) })}
            data-testid="approve-confirm"
          >
            Approve
          </Button>
        </DialogActions>
      </Dialog>

      <Dialog open={dialog === 'rfi'} onClose={close} data-testid="rfi-dialog">
        <DialogTitle>Answers to the requests for information</DialogTitle>
        <DialogContent>
          <Stack spacing={2} sx={{ pt: 1, minWidth: 400 }}>
            {props.reportIds.map((id) => (
              <TextField
                key={id}
                label={`Report ${id}`}
                value={answers[id] ?? ''}
                onChange={(e) => setAnswers((a) => ({ ...a, [id]: e.target.value }))}
                slotProps={{ htmlInput: { 'data-testid': `rfi-answer-${id}` } }}
              />
            ))}
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={close}>Close</Button>
          <Button
            variant="contained"
            disabled={!props.reportIds.some((id) => answers[id]?.trim())}
            data-testid="rfi-send"
            onClick={() =>
              void (async () => {
                for (const id of props.reportIds) {
                  const response = answers[id]?.trim();
                  if (response && !(await props.onSignal('rfiResponse', { reportId: id, response }))) return;
                }
                close();
              })()
            }
          >
            Send answers
          </Button>
        </DialogActions>
      </Dialog>

      <Dialog open={dialog === 'results'} onClose={close} data-testid="results-dialog">
        <DialogTitle>Test results</DialogTitle>
        <DialogContent>
          <Stack spacing={2} sx={{ pt: 1, minWidth: 360 }}>
            <Typography variant="body2">Applies to every execution still without a result.</Typography>
            <ToggleButtonGroup
              exclusive
              value={result}
              onChange={(_e, v: 'pass' | 'fail' | null) => v && setResult(v)}
            >
              <ToggleButton value="pass">Pass</ToggleButton>
              <ToggleButton value="fail">Fail</ToggleButton>
            </ToggleButtonGroup>
            <TextField label="Note" value={note} onChange={(e) => setNote(e.target.value)} />
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={close}>Close</Button>
          <Button
            variant="contained"
            data-testid="results-send"
            onClick={() => void send('testResult', { result, ...(note ? { note } : {}) })}
          >
            Record
          </Button>
        </DialogActions>
      </Dialog>

      <Dialog
        open={!!props.preview}
        onClose={props.onClosePreview}
        data-testid="preview-dialog"
        maxWidth="sm"
        fullWidth
      >
        <DialogTitle>
          {props.preview?.action === 'terminate' ? 'Terminate this cycle?' : 'Cancel this cycle?'}
        </DialogTitle>
        <DialogContent>
          <Typography variant="body2" data-testid="preview-summary" gutterBottom>
            {props.preview?.summary}
          </Typography>
          {props.preview && props.preview.steps.length > 0 && (
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
          {props.preview?.action === 'terminate' && (
            <>
              <Alert severity="warning" sx={{ my: 1 }}>
                Terminate cannot be undone and skips compensation.
              </Alert>
              <TextField
                label="Reason"
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                slotProps={{ htmlInput: { 'data-testid': 'terminate-reason' } }}
              />
            </>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={props.onClosePreview}>Keep it running</Button>
          {props.preview?.action === 'terminate' ? (
            <Button
              color="error"
              variant="contained"
              disabled={reason.trim().length < 3 || props.preview.status !== 'running'}
              onClick={() => props.onTerminate(reason.trim())}
              data-testid="preview-confirm"
            >
              Terminate
            </Button>
          ) : (
            <Button
              color="warning"
              variant="contained"
              disabled={props.preview?.status !== 'running'}
              onClick={props.onCancel}
              data-testid="preview-confirm"
            >
              Cancel and compensate
            </Button>
          )}
        </DialogActions>
      </Dialog>
    </>
  );
}
