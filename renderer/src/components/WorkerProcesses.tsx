// Each worker process of a scaled-out worker: state, pid, task slots, heartbeat; and the process count.
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState, type FormEvent } from 'react';
import { operations, type WorkerStatus } from '../../../main/api/contract';
import { useContractForm } from '../forms';
import { asFailure, ops, type OpsFailure } from '../ops/client';
import { ErrorAlert } from './ErrorAlert';

/** How many worker processes run now (a single-process worker reports no list: it is one when running). */
export function workerProcessesRunning(worker: WorkerStatus): number {
  if (worker.processes?.length) return worker.processes.filter((p) => p.state === 'running').length;
  return worker.state === 'running' || worker.state === 'draining' ? 1 : 0;
}

export function WorkerProcesses({ worker }: { worker: WorkerStatus }) {
  const running = workerProcessesRunning(worker);
  // The field shows the number that runs until the operator types another one to scale to.
  const [typed, setTyped] = useState<string | undefined>();
  const count = typed ?? String(running || worker.desiredProcesses || 1);
  const setCount = (value: string) => setTyped(value);
  const [error, setError] = useState<OpsFailure | undefined>();
  const [busy, setBusy] = useState(false);
  const processes = worker.processes ?? [];
  const form = useContractForm(
    operations['worker.scale'].input,
    { processes: count.trim() === '' ? undefined : Number(count) },
    {
      labels: { processes: 'Worker processes' },
      given: { processes: count },
      help: { processes: 'From 1 to 16' },
    },
  );
  const scale = async () => {
    if (!form.data) return form.reveal();
    setBusy(true);
    setError(undefined);
    try {
      await ops.call('worker.scale', form.data);
      setTyped(undefined);
    } catch (err) {
      setError(form.absorb(asFailure(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Box sx={{ mt: 2 }} data-testid="worker-processes">
      <Box
        component="form"
        noValidate
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void scale();
        }}
        sx={{ display: 'flex', gap: 1, alignItems: 'flex-start', mb: 1 }}
      >
        <TextField
          size="small"
          type="number"
          label="Worker processes"
          value={count}
          onChange={(e) => setCount(e.target.value)}
          {...form.field('processes')}
          sx={{ width: 260 }}
          slotProps={{
            htmlInput: { min: 1, max: 16, 'data-testid': 'worker-processes-count', 'data-running': running },
          }}
        />
        <Button
          size="small"
          variant="outlined"
          type="submit"
          disabled={busy || !form.valid}
          data-testid="worker-scale"
          sx={{ mt: 0.5 }}
        >
          Scale
        </Button>
        <Typography
          variant="body2"
          color="text.secondary"
          sx={{ mt: 1 }}
          data-testid="worker-processes-running"
        >
          {running} running now
          {worker.desiredProcesses && worker.desiredProcesses !== running
            ? `, ${worker.desiredProcesses} wanted`
            : ''}
        </Typography>
      </Box>
      {error && <ErrorAlert error={error} onClose={() => setError(undefined)} />}
      {processes.length > 0 && (
        <Table size="small">
          <TableHead>
            <TableRow>
              <TableCell>#</TableCell>
              <TableCell>State</TableCell>
              <TableCell>PID</TableCell>
              <TableCell>Activity slots</TableCell>
              <TableCell>Workflow slots</TableCell>
              <TableCell>Restarts</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {processes.map((p) => (
              <TableRow key={p.index} data-testid={`worker-process-${p.index}`} data-state={p.state}>
                <TableCell>{p.index}</TableCell>
                <TableCell>
                  {p.state}
                  {p.state === 'running' && !p.polling ? ' (not polling yet)' : ''}
                </TableCell>
                <TableCell>{p.pid ?? '—'}</TableCell>
                <TableCell>
                  {p.activitySlots
                    ? `${p.activitySlots.used} / ${p.activitySlots.used + p.activitySlots.available}`
                    : '—'}
                </TableCell>
                <TableCell>{p.workflowSlots ? `${p.workflowSlots.used} in flight` : '—'}</TableCell>
                <TableCell>{p.restarts}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
}
