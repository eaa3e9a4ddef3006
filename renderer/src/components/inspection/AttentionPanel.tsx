// A cycle that needs attention: the phase that failed for good, what to fix, and the operator's three choices.
// Abandon compensates the cycle, so it is asked once.
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { PHASES, type PhaseStateView } from '../../../../main/api/contract';
import { useAttention } from '../../stores/attention';
import { ConfirmDialog } from '../ConfirmDialog';
import { ErrorAlert } from '../ErrorAlert';

export function AttentionPanel({ workflowId, phases }: { workflowId: string; phases: PhaseStateView[] }) {
  const { busy, error, decide, clearError } = useAttention();
  const [by, setBy] = useState('operator');
  const [note, setNote] = useState('');
  const [confirmAbandon, setConfirmAbandon] = useState(false);
  const waiting = phases.find((p) => p.state === 'needs_attention');
  if (!waiting) return null;
  const def = PHASES.find((p) => p.id === waiting.phase)!;
  const act = (decision: 'retry' | 'skip' | 'abandon') => void decide(workflowId, decision, by.trim(), note);
  return (
    <Alert severity="warning" sx={{ my: 1 }} data-testid="attention-panel">
      <AlertTitle>
        Needs attention: {def.number}. {def.label} failed
      </AlertTitle>
      <Typography variant="body2" gutterBottom data-testid="attention-failure">
        {waiting.lastFailure}
      </Typography>
      <Typography variant="body2" color="text.secondary" gutterBottom>
        Fix the cause (the alert says what), then retry the phase. Skipping goes on without this phase&apos;s
        work; abandoning compensates the cycle as a failure would.
      </Typography>
      {error && <ErrorAlert error={error} onClose={clearError} />}
      <Stack direction="row" spacing={1} useFlexGap sx={{ mt: 1, alignItems: 'center', flexWrap: 'wrap' }}>
        <TextField
          size="small"
          label="Decided by"
          sx={{ width: 180 }}
          value={by}
          onChange={(e) => setBy(e.target.value)}
          slotProps={{ htmlInput: { 'data-testid': 'attention-by' } }}
        />
        <TextField
          size="small"
          label="Note"
          value={note}
          onChange={(e) => setNote(e.target.value)}
          sx={{ width: 320 }}
        />
        <Button
          variant="contained"
          disabled={!!busy || !by.trim()}
          onClick={() => act('retry')}
          data-testid="attention-retry"
        >
          Retry phase
        </Button>
        <Button
          variant="outlined"
          disabled={!!busy || !by.trim() || !def.skippable}
          title={def.skippable ? undefined : 'Later phases need what this phase produces'}
          onClick={() => act('skip')}
          data-testid="attention-skip"
        >
          Skip phase
        </Button>
        <Button
          color="error"
          disabled={!!busy || !by.trim()}
          onClick={() => setConfirmAbandon(true)}
          data-testid="attention-abandon"
        >
          Abandon…
        </Button>
      </Stack>
      <ConfirmDialog
        open={confirmAbandon}
        title="Abandon the cycle?"
        confirmLabel="Abandon and compensate"
        onCancel={() => setConfirmAbandon(false)}
        onConfirm={() => {
          setConfirmAbandon(false);
          act('abandon');
        }}
      >
        The cycle ends as failed and every phase that did work is compensated in reverse, each by its strategy
        (the Compensation page lists what each step removed and kept).
      </ConfirmDialog>
    </Alert>
  );
}
