// The running backup, verify or restore job: its step, a progress bar over bytes (or tables), and a cancel button.
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Typography from '@mui/material/Typography';
import type { BackupJob } from '../../../../main/api/contract';
import { pluralize } from '../../inspection/pluralize';

const DONE: Record<BackupJob['action'], string> = {
  create: 'Backup done',
  verify: 'Verification done',
  restore: 'Restore done',
};

/** What a finished job says: its result, not the last step it happened to report. */
export function jobOutcome(job: BackupJob): string {
  if (job.state === 'done')
    return `${DONE[job.action]}${job.setId ? ` — set ${job.setId}` : ''}${job.message ? `: ${job.message}` : ''}`;
  if (job.state === 'cancelled') return `${job.action} cancelled — nothing was kept`;
  return `${job.action} failed${job.error ? `: ${job.error.message}` : ''}`;
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(n / 1024))} kB`;
}

export function JobProgress({ job, onCancel }: { job: BackupJob; onCancel?: () => void }) {
  const byBytes = job.bytesTotal > 0;
  const value = byBytes
    ? Math.min(100, (job.bytesDone / job.bytesTotal) * 100)
    : job.tablesTotal > 0
      ? (job.tablesDone / job.tablesTotal) * 100
      : undefined;
  const running = job.state === 'running';
  const done = job.state === 'done';
  // A finished job ends at 100 % with its result; a failed or cancelled one keeps where it stopped.
  const shown = done ? 100 : Math.round(value ?? 0);
  return (
    <Box
      data-testid="backup-job"
      data-state={job.state}
      data-progress={running && value === undefined ? 'indeterminate' : shown}
      sx={{ my: 2 }}
    >
      <Typography
        variant="body2"
        gutterBottom
        color={running ? 'text.primary' : done ? 'success.main' : 'error'}
        role={running ? undefined : 'status'}
        data-testid="backup-job-outcome"
      >
        {running ? job.step : jobOutcome(job)}
        {running && job.database ? ` — ${job.database}` : ''}
      </Typography>
      <LinearProgress
        variant={running && value === undefined ? 'indeterminate' : 'determinate'}
        value={shown}
        color={job.state === 'failed' ? 'error' : done ? 'success' : 'primary'}
        aria-label={`${job.action} progress`}
      />
      <Box sx={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', mt: 0.5 }}>
        <Typography variant="caption" color="text.secondary">
          {running ? '' : `${shown} % · `}
          {job.tablesTotal > 0
            ? `${done ? job.tablesTotal : job.tablesDone} of ${pluralize(job.tablesTotal, 'table')}`
            : ''}
          {byBytes
            ? done
              ? ` · ${formatBytes(job.bytesDone)}`
              : ` · ${formatBytes(job.bytesDone)} of up to ${formatBytes(job.bytesTotal)}`
            : ''}
        </Typography>
        {running && onCancel && job.action !== 'restore' && (
          <Button size="small" onClick={onCancel} data-testid="backup-cancel">
            Cancel
          </Button>
        )}
      </Box>
      {job.error && job.state === 'running' && (
        <Typography variant="body2" color="error">
          {job.error.message}
        </Typography>
      )}
    </Box>
  );
}
