// Batch actions on the filtered selection (minus the unticked rows): preview what each cycle gets, then run.
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { BatchPreviewItem, BatchResultItem, OpInput } from '../../../../main/api/contract';

type BatchAction = OpInput<'inspection.batchPreview'>['action'];

const ACTIONS: Record<string, BatchAction> = {
  cancel: { action: 'cancel', reason: '' },
  approveScope: {
    action: 'signal',
    signal: 'approveScope',
    payload: { approved: true, by: 'operator (batch)' },
  },
  passResults: { action: 'signal', signal: 'testResult', payload: { result: 'pass' } },
};
const MIN_REASON = 3;

export function BatchPanel(props: {
  /** The filters as typed are refused: the selection would be the last valid one, so nothing runs. */
  filterInvalid?: boolean;
  excluded: number;
  preview: { items: BatchPreviewItem[]; truncated: boolean } | undefined;
  results: BatchResultItem[] | undefined;
  onPreview: (action: BatchAction) => void;
  onRun: (action: BatchAction) => void;
}) {
  const [choice, setChoice] = useState('cancel');
  const [reason, setReason] = useState('');
  const base = ACTIONS[choice]!;
  const action: BatchAction = base.action === 'cancel' ? { action: 'cancel', reason: reason.trim() } : base;
  const needsReason = base.action === 'cancel' && reason.trim().length < MIN_REASON;
  const applies = props.preview?.items.filter((i) => i.applies).length ?? 0;
  return (
    <Box sx={{ border: 1, borderColor: 'divider', borderRadius: 1, p: 1.5, my: 1 }} data-testid="batch-panel">
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
        <TextField
          select
          label="Action"
          value={choice}
          onChange={(e) => setChoice(e.target.value)}
          sx={{ maxWidth: 260 }}
        >
          <MenuItem value="cancel">Cancel (with compensation)</MenuItem>
          <MenuItem value="approveScope">Step: approve scope</MenuItem>
          <MenuItem value="passResults">Step: record every open result as pass</MenuItem>
        </TextField>
        {base.action === 'cancel' && (
          <TextField
            label="Reason"
            required
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            error={reason.length > 0 && needsReason}
            helperText={reason.length > 0 && needsReason ? 'Give a reason of a few words' : undefined}
            slotProps={{ htmlInput: { 'data-testid': 'batch-reason' } }}
          />
        )}
        <Typography variant="body2" color="text.secondary" sx={{ flex: 1 }}>
          Every cycle matching the filters, {props.excluded} unticked row{props.excluded === 1 ? '' : 's'}{' '}
          excluded.
        </Typography>
        <Button
          onClick={() => props.onPreview(action)}
          disabled={props.filterInvalid || needsReason}
          data-testid="batch-preview"
        >
          Preview
        </Button>
        <Button
          variant="contained"
          color="warning"
          disabled={props.filterInvalid || !props.preview || applies === 0 || needsReason}
          onClick={() => props.onRun(action)}
          data-testid="batch-run"
        >
          Run on {applies} cycle{applies === 1 ? '' : 's'}
        </Button>
      </Stack>
      {props.filterInvalid && (
        <Alert severity="warning" sx={{ mt: 1 }} data-testid="batch-filter-invalid">
          Correct the filters marked in red first: a batch acts on every cycle the filters match.
        </Alert>
      )}
      {props.preview && (
        <Box sx={{ maxHeight: 180, overflow: 'auto', mt: 1 }}>
          {props.preview.truncated && (
            <Alert severity="warning">More than 200 cycles match: narrow the filter.</Alert>
          )}
          {props.preview.items.map((i) => (
            <Typography
              key={i.workflowId}
              variant="body2"
              color={i.applies ? 'text.primary' : 'text.disabled'}
              data-testid="batch-preview-item"
            >
              {i.workflowId}: {i.effect}
            </Typography>
          ))}
        </Box>
      )}
      {props.results && (
        <Box sx={{ maxHeight: 180, overflow: 'auto', mt: 1 }}>
          {props.results.map((r) => (
            <Typography key={r.workflowId} variant="body2" color={r.ok ? 'success.main' : 'error.main'}>
              {r.workflowId}: {r.ok ? 'done' : r.message}
            </Typography>
          ))}
        </Box>
      )}
    </Box>
  );
}
