// The three human steps' dialogs. Each shows what is being decided (the proposed scope, the open RFIs, the open
// executions), starts empty (its parent mounts it afresh for each cycle and step), puts the focus on its first
// field, sends on Enter and closes on Escape. A refusal from the workflow is shown inside the dialog.
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { useState, type FormEvent, type ReactNode } from 'react';
import type { StepContext } from '../../../../main/api/contract';
import { formatTime } from '../../inspection/format';
import type { OpsFailure } from '../../ops/client';
import type { StepOperation } from '../../stores/cycle';

export interface StepDialogProps {
  context: StepContext | undefined;
  busy: boolean;
  error: OpsFailure | undefined;
  onClose: () => void;
  onSend: (operation: StepOperation, input: Record<string, unknown>) => void;
}

function StepDialog(props: {
  title: string;
  testId: string;
  busy: boolean;
  error: OpsFailure | undefined;
  loading: boolean;
  onClose: () => void;
  onSubmit: () => void;
  actions: ReactNode;
  children: ReactNode;
}) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!props.busy) props.onSubmit();
  };
  return (
    <Dialog open onClose={props.onClose} data-testid={props.testId} maxWidth="md" fullWidth>
      <form onSubmit={submit} noValidate>
        <DialogTitle>{props.title}</DialogTitle>
        <DialogContent>
          {props.loading && <LinearProgress sx={{ mb: 1 }} />}
          {props.error && (
            <Alert severity="error" sx={{ mb: 1 }} data-testid="step-error">
              {props.error.message} {props.error.hint}
            </Alert>
          )}
          <Stack spacing={2} sx={{ pt: 1 }}>
            {props.children}
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={props.onClose}>Close</Button>
          {props.actions}
        </DialogActions>
      </form>
    </Dialog>
  );
}

/** Who decides: required, the dialog's first field. */
function ByField(props: { value: string; error: boolean; label: string; onChange: (v: string) => void }) {
  return (
    <TextField
      label={props.label}
      required
      autoFocus
      value={props.value}
      onChange={(e) => props.onChange(e.target.value)}
      error={props.error}
      helperText={props.error ? 'Say who decides: a name or a role.' : undefined}
      slotProps={{ htmlInput: { 'data-testid': 'step-by' } }}
    />
  );
}

export function ScopeApprovalDialog(props: StepDialogProps) {
  const [by, setBy] = useState('');
  const [note, setNote] = useState('');
  const [tried, setTried] = useState<'approve' | 'reject' | undefined>();
  const byMissing = tried !== undefined && !by.trim();
  const noteMissing = tried === 'reject' && !note.trim();
  const send = (approved: boolean) => {
    setTried(approved ? 'approve' : 'reject');
    if (!by.trim() || (!approved && !note.trim())) return;
    props.onSend('workflows.approveScope', {
      approved,
      by: by.trim(),
      ...(note.trim() ? { note: note.trim() } : {}),
    });
  };
  const scope = props.context?.scope ?? [];
  return (
    <StepDialog
      title="Scope approval"
      testId="approve-dialog"
      busy={props.busy}
      error={props.error}
      loading={!props.context}
      onClose={props.onClose}
      onSubmit={() => send(true)}
      actions={
        <>
          <Button
            color="error"
            disabled={props.busy}
            onClick={() => send(false)}
            data-testid="approve-reject"
          >
            Reject (fails the cycle)
          </Button>
          <Button type="submit" variant="contained" disabled={props.busy} data-testid="approve-confirm">
            Approve
          </Button>
        </>
      }
    >
      <ByField label="Approved by" value={by} error={byMissing} onChange={setBy} />
      <TextField
        label="Note"
        value={note}
        onChange={(e) => setNote(e.target.value)}
        error={noteMissing}
        helperText={
          noteMissing ? 'Say why the scope is rejected.' : 'Kept with the decision; required to reject.'
        }
        slotProps={{ htmlInput: { 'data-testid': 'approve-note' } }}
      />
      <Typography variant="subtitle2">Proposed by Planning and Scoping</Typography>
      <Box sx={{ maxHeight: 320, overflow: 'auto' }} data-testid="proposed-scope">
        {scope.map((r) => (
          <Box key={r.reportId} sx={{ mb: 1.5 }} data-testid="proposed-report">
            <Typography variant="body2" sx={{ fontWeight: 600 }}>
              Report {r.reportId}: {r.report} · {r.samplesToDraw} samples to draw from {r.population} records
            </Typography>
            <Table size="small">
              <TableBody>
                {r.attributes.map((a) => (
                  <TableRow key={a.id} data-testid="proposed-attribute">
                    <TableCell sx={{ width: 60 }}>{a.code}</TableCell>
                    <TableCell>{a.name}</TableCell>
                    <TableCell>{a.inScope ? 'in scope' : 'out of scope'}</TableCell>
                    <TableCell sx={{ color: 'text.secondary' }}>{a.rationale}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Box>
        ))}
      </Box>
    </StepDialog>
  );
}

export function RfiAnswersDialog(props: StepDialogProps) {
  const [by, setBy] = useState('');
  const [answers, setAnswers] = useState<Record<number, string>>({});
  const [tried, setTried] = useState(false);
  const rfis = props.context?.rfis ?? [];
  const filled = rfis.filter((r) => answers[r.reportId]?.trim());
  const send = () => {
    setTried(true);
    if (!by.trim() || filled.length === 0) return;
    props.onSend('workflows.answerRfi', {
      by: by.trim(),
      answers: filled.map((r) => ({ reportId: r.reportId, response: answers[r.reportId]!.trim() })),
    });
  };
  return (
    <StepDialog
      title="Answers to the open requests for information"
      testId="rfi-dialog"
      busy={props.busy}
      error={props.error}
      loading={!props.context}
      onClose={props.onClose}
      onSubmit={send}
      actions={
        <Button type="submit" variant="contained" disabled={props.busy} data-testid="rfi-send">
          Record answers
        </Button>
      }
    >
      <ByField label="Recorded by" value={by} error={tried && !by.trim()} onChange={setBy} />
      {tried && filled.length === 0 && (
        <Typography variant="body2" color="error.main" data-testid="rfi-none">
          Write at least one answer.
        </Typography>
      )}
      {rfis.map((r) => (
        <Box key={r.reportId} data-testid="rfi-open" data-report={r.reportId}>
          <Typography variant="body2" sx={{ fontWeight: 600 }}>
            Report {r.reportId}: {r.report}
          </Typography>
          <Typography variant="body2" color="text.secondary">
            Data owner {r.owner}
            {r.ownerEmail ? ` <${r.ownerEmail}>` : ''} · sent {formatTime(r.sentAt)}
          </Typography>
          <Typography variant="body2" sx={{ my: 0.5 }}>
            {r.question}
          </Typography>
          <TextField
            fullWidth
            label={`Answer for report ${r.reportId}`}
            value={answers[r.reportId] ?? ''}
            onChange={(e) => setAnswers((a) => ({ ...a, [r.reportId]: e.target.value }))}
            slotProps={{ htmlInput: { 'data-testid': `rfi-answer-${r.reportId}` } }}
          />
        </Box>
      ))}
    </StepDialog>
  );
}

type Verdict = { result?: 'pass' | 'fail'; note: string };

export function TestResultsDialog(props: StepDialogProps) {
  const [by, setBy] = useState('');
  const [rows, setRows] = useState<Record<number, Verdict>>({});
  const [tried, setTried] = useState(false);
  const executions = props.context?.executions ?? [];
  const judged = executions.filter((e) => rows[e.id]?.result);
  const set = (id: number, change: Partial<Verdict>) =>
    setRows((r) => ({ ...r, [id]: { note: '', ...r[id], ...change } }));
  const allPass = () =>
    setRows((r) =>
      Object.fromEntries(
        executions.map((e) => [e.id, { note: r[e.id]?.note ?? '', result: 'pass' as const }]),
      ),
    );
  const send = () => {
    setTried(true);
    if (!by.trim() || judged.length === 0) return;
    props.onSend('workflows.recordResults', {
      by: by.trim(),
      results: judged.map((e) => ({
        executionId: e.id,
        result: rows[e.id]!.result,
        ...(rows[e.id]!.note.trim() ? { note: rows[e.id]!.note.trim() } : {}),
      })),
    });
  };
  return (
    <StepDialog
      title="Test results"
      testId="results-dialog"
      busy={props.busy}
      error={props.error}
      loading={!props.context}
      onClose={props.onClose}
      onSubmit={send}
      actions={
        <>
          <Button onClick={allPass} disabled={executions.length === 0} data-testid="results-all-pass">
            All pass
          </Button>
          <Button type="submit" variant="contained" disabled={props.busy} data-testid="results-send">
            Record {judged.length} of {executions.length}
          </Button>
        </>
      }
    >
      <ByField label="Judged by" value={by} error={tried && !by.trim()} onChange={setBy} />
      {tried && judged.length === 0 && (
        <Typography variant="body2" color="error.main" data-testid="results-none">
          Mark at least one execution pass or fail (or use All pass).
        </Typography>
      )}
      <Box sx={{ maxHeight: 360, overflow: 'auto' }}>
        <Table size="small" stickyHeader>
          <TableHead>
            <TableRow>
              <TableCell>Execution</TableCell>
              <TableCell>Attribute</TableCell>
              <TableCell>Sample</TableCell>
              <TableCell>Result</TableCell>
              <TableCell>Note</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {executions.map((e) => (
              <TableRow key={e.id} data-testid="result-row" data-execution={e.id}>
                <TableCell>{e.id}</TableCell>
                <TableCell>
                  {e.attribute} {e.attributeName}
                </TableCell>
                <TableCell>{e.sample}</TableCell>
                <TableCell>
                  <ToggleButtonGroup
                    size="small"
                    exclusive
                    value={rows[e.id]?.result ?? null}
                    onChange={(_ev, v: 'pass' | 'fail' | null) => set(e.id, { result: v ?? undefined })}
                    aria-label={`Result of execution ${e.id}`}
                  >
                    <ToggleButton value="pass" color="success">
                      Pass
                    </ToggleButton>
                    <ToggleButton value="fail" color="error">
                      Fail
                    </ToggleButton>
                  </ToggleButtonGroup>
                </TableCell>
                <TableCell>
                  <TextField
                    size="small"
                    value={rows[e.id]?.note ?? ''}
                    onChange={(ev) => set(e.id, { note: ev.target.value })}
                    slotProps={{ htmlInput: { 'aria-label': `Note for execution ${e.id}` } }}
                  />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Box>
    </StepDialog>
  );
}
