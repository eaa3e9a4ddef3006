// Remove the stack: containers and processes go; the data stays unless the operator ticks it and types the phrase.
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import TextField from '@mui/material/TextField';
import { useState } from 'react';
import { REMOVE_DATA_CONFIRMATION } from '../../../main/api/contract';
import { formatGiven } from '../forms';
import { ConfirmDialog } from './ConfirmDialog';

export function RemoveStackDialog(props: {
  open: boolean;
  provider: string;
  onCancel: () => void;
  onConfirm: (deleteData: boolean, confirm: string) => void;
}) {
  const [deleteData, setDeleteData] = useState(false);
  const [typed, setTyped] = useState('');
  const close = () => {
    setDeleteData(false);
    setTyped('');
  };
  return (
    <ConfirmDialog
      open={props.open}
      title="Remove the stack?"
      confirmLabel={deleteData ? 'Remove with data' : 'Remove, keep data'}
      confirmDisabled={deleteData && typed !== REMOVE_DATA_CONFIRMATION}
      onCancel={() => {
        close();
        props.onCancel();
      }}
      onConfirm={() => {
        props.onConfirm(deleteData, typed);
        close();
      }}
    >
      {props.provider === 'docker'
        ? 'This stops every service and removes the console’s containers and network. '
        : 'This stops every service of the embedded stack. '}
      The databases are kept unless you choose otherwise below.
      <FormControlLabel
        sx={{ display: 'block', mt: 2 }}
        control={
          <Checkbox
            checked={deleteData}
            onChange={(e) => setDeleteData(e.target.checked)}
            slotProps={{ input: { 'aria-label': 'also delete the data' } }}
            data-testid="remove-delete-data"
          />
        }
        label={
          props.provider === 'docker'
            ? 'Also delete the data volumes of both databases (cannot be undone)'
            : 'Also move the data folders of both databases aside'
        }
      />
      {deleteData && (
        <TextField
          fullWidth
          size="small"
          sx={{ mt: 1 }}
          label={`Type "${REMOVE_DATA_CONFIRMATION}" to confirm`}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          error={typed !== '' && typed !== REMOVE_DATA_CONFIRMATION}
          helperText={
            typed !== '' && typed !== REMOVE_DATA_CONFIRMATION
              ? `Type exactly: ${REMOVE_DATA_CONFIRMATION}; you gave ${formatGiven(typed)}.`
              : undefined
          }
          slotProps={{ htmlInput: { 'data-testid': 'remove-confirm-text' } }}
        />
      )}
    </ConfirmDialog>
  );
}
