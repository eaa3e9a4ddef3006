import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import type { ReactNode } from 'react';

/** Asks once before a destructive action, naming what it will do. */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  confirmLabel: string;
  children: ReactNode;
  onConfirm: () => void;
  onCancel: () => void;
  /** Keeps the confirm button off until the operator has done what the dialog asks (typed a name, …). */
  confirmDisabled?: boolean;
}) {
  return (
    <Dialog open={props.open} onClose={props.onCancel} data-testid="confirm-dialog">
      <DialogTitle>{props.title}</DialogTitle>
      <DialogContent>
        <DialogContentText component="div">{props.children}</DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onCancel} data-testid="confirm-dialog-cancel">
          Cancel
        </Button>
        <Button
          onClick={props.onConfirm}
          color="error"
          variant="contained"
          autoFocus
          disabled={props.confirmDisabled}
          data-testid="confirm-dialog-confirm"
        >
          {props.confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
