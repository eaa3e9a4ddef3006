// Before the worker restarts on new workflow code: replay the running and recent cycles against the bundle, show
// each cycle's verdict (and where a history and the code part ways), then restart. A failing bundle needs the
// typed override.
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Alert from '@mui/material/Alert';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { ROLL_OUT_OVERRIDE } from '../../../main/api/contract';
import { useUpgrade } from '../stores/upgrade';
import { MONO } from '../theme';
import { ErrorAlert } from './ErrorAlert';
import { pluralize } from '../inspection/pluralize';

const OUTCOME_COLOR = { replays: 'success', nondeterminism: 'error', error: 'warning' } as const;

export function WorkerUpgradeDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { report, busy, error, done, check, rollOut, reset } = useUpgrade();
  const [bundle, setBundle] = useState('');
  const [last, setLast] = useState('20');
  const [override, setOverride] = useState('');
  const close = () => {
    reset();
    setOverride('');
    onClose();
  };
  const lastN = Number(last);
  const lastValid = Number.isInteger(lastN) && lastN >= 0 && lastN <= 1000;
  const canRollOut = !!report && (report.passed || override === ROLL_OUT_OVERRIDE);
  return (
    <Dialog open={open} onClose={close} maxWidth="md" fullWidth data-testid="worker-upgrade-dialog">
      <DialogTitle>Check replay, then restart the worker</DialogTitle>
      <DialogContent>
        <Typography variant="body2" color="text.secondary" gutterBottom>
          The running cycles and the most recent ones are replayed against the workflow bundle with the
          SDK&apos;s replayer. A cycle that does not replay would fail on the new worker.
        </Typography>
        <Stack direction="row" spacing={1} sx={{ my: 1 }}>
          <TextField
            label="Bundle file (empty: the one the worker runs)"
            value={bundle}
            onChange={(e) => {
              setBundle(e.target.value);
              reset();
            }}
            sx={{ flex: 1 }}
            slotProps={{ htmlInput: { 'data-testid': 'upgrade-bundle' } }}
          />
          <TextField
            label="Recent cycles"
            value={last}
            onChange={(e) => setLast(e.target.value)}
            error={!lastValid}
            helperText={lastValid ? ' ' : 'A whole number from 0 to 1000'}
            sx={{ width: 140 }}
          />
          <Button
            variant="outlined"
            onClick={() => void check(bundle, lastN)}
            disabled={busy !== undefined || !lastValid}
            data-testid="upgrade-check"
            sx={{ alignSelf: 'flex-start', mt: 1 }}
          >
            {busy === 'check' ? 'Checking…' : 'Check replay'}
          </Button>
        </Stack>
        {error && <ErrorAlert error={error} />}
        {done && <Alert severity="success">{done}</Alert>}
        {report && (
          <>
            <Alert
              severity={report.passed ? 'success' : 'error'}
              sx={{ my: 1 }}
              data-testid="upgrade-verdict"
            >
              {report.passed
                ? `Every checked cycle (${report.results.length}) replays on this bundle.`
                : `${report.results.filter((r) => r.outcome !== 'replays').length} of ${pluralize(report.results.length, 'cycle')} ${report.results.filter((r) => r.outcome !== 'replays').length === 1 ? 'does' : 'do'} not replay: do not roll this bundle out.`}
            </Alert>
            <Table size="small" data-testid="upgrade-results">
              <TableHead>
                <TableRow>
                  <TableCell>Cycle</TableCell>
                  <TableCell>Status</TableCell>
                  <TableCell>Replay</TableCell>
                  <TableCell>First mismatching event</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {report.results.map((r) => (
                  <TableRow key={r.runId} data-testid="upgrade-result" data-outcome={r.outcome}>
                    <TableCell sx={{ fontFamily: MONO, fontSize: 12 }}>{r.workflowId}</TableCell>
                    <TableCell>{r.status}</TableCell>
                    <TableCell>
                      <Chip size="small" label={r.outcome} color={OUTCOME_COLOR[r.outcome]} />
                    </TableCell>
                    <TableCell>
                      {r.firstMismatch
                        ? `#${r.firstMismatch.eventId} ${r.firstMismatch.eventType} ${r.firstMismatch.detail}`
                        : (r.message ?? '')}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            {!report.passed && bundle.trim() && (
              <TextField
                fullWidth
                sx={{ mt: 2 }}
                label={`To roll it out anyway, type: ${ROLL_OUT_OVERRIDE}`}
                value={override}
                onChange={(e) => setOverride(e.target.value)}
                slotProps={{ htmlInput: { 'data-testid': 'upgrade-override' } }}
              />
            )}
          </>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>Close</Button>
        <Button
          variant="contained"
          color={report?.passed ? 'primary' : 'error'}
          disabled={!canRollOut || busy !== undefined || (!bundle.trim() && !report?.passed)}
          onClick={() => void rollOut(bundle, override)}
          data-testid="upgrade-restart"
        >
          {busy === 'rollout'
            ? 'Restarting…'
            : bundle.trim()
              ? 'Restart worker on this bundle'
              : 'Restart worker'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
