// A ledger entry's outcome (done, failed, resolved) with its error or resolution, and for a failed entry the
// operator's two ways out: retry it, or mark it resolved with a note.
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { CompensationEntry } from '../../../../main/api/contract';
import { useCompensation } from '../../stores/compensation';

const COLOR = { done: 'success', failed: 'error', resolved: 'info' } as const;

export function CompensationOutcome({
  entry,
  actions = true,
}: {
  entry: CompensationEntry;
  actions?: boolean;
}) {
  const { retry, resolve, busy } = useCompensation();
  const [resolving, setResolving] = useState(false);
  const [note, setNote] = useState('');
  const color = COLOR[entry.outcome as keyof typeof COLOR] ?? 'default';
  const working = busy === `${entry.workflowId}:${entry.phase}`;
  return (
    <Stack spacing={0.5} data-testid="compensation-outcome" data-outcome={entry.outcome}>
      <Chip size="small" label={entry.outcome} color={color} sx={{ alignSelf: 'flex-start' }} />
      {entry.outcome === 'failed' && entry.error && (
        <Typography variant="caption" color="error">
          {entry.error}
        </Typography>
      )}
      {entry.outcome === 'resolved' && (
        <Typography variant="caption" color="text.secondary" data-testid="compensation-resolution">
          resolved by {entry.resolvedBy ?? 'operator'}: {entry.resolutionNote}
        </Typography>
      )}
      {actions && entry.outcome === 'failed' && (
        <Stack direction="row" spacing={1}>
          <Button
            size="small"
            variant="outlined"
            disabled={working}
            onClick={() => void retry(entry)}
            data-testid="compensation-retry"
          >
            {working ? 'Retrying…' : 'Retry'}
          </Button>
          <Button
            size="small"
            disabled={working}
            onClick={() => setResolving(true)}
            data-testid="compensation-resolve"
          >
            Mark resolved
          </Button>
        </Stack>
      )}
      <Dialog open={resolving} onClose={() => setResolving(false)} data-testid="resolve-dialog">
        <DialogTitle>Mark the compensation of {entry.phase.replaceAll('_', ' ')} resolved</DialogTitle>
        <DialogContent>
          <DialogContentText>
            The console will not undo these rows any more. Say what was done by hand; the note is kept in the
            ledger and the audit trail.
          </DialogContentText>
          <TextField
            autoFocus
            fullWidth
            multiline
            minRows={2}
            label="How it was resolved"
            value={note}
            onChange={(e) => setNote(e.target.value)}
            sx={{ mt: 2 }}
            slotProps={{ htmlInput: { 'data-testid': 'resolve-note' } }}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setResolving(false)}>Cancel</Button>
          <Button
            variant="contained"
            disabled={note.trim().length < 3}
            onClick={() => {
              setResolving(false);
              void resolve(entry, note.trim());
            }}
            data-testid="resolve-confirm"
          >
            Mark resolved
          </Button>
        </DialogActions>
      </Dialog>
    </Stack>
  );
}
