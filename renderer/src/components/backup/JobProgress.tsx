// The running backup, verify or restore job: its step, a progress bar over bytes (or tables), and a cancel button.
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Typography from '@mui/material/Typography';
import type { BackupJob } from '../../../../main/api/contract';
import { pluralize } from '../../inspection/pluralize';
import { useFreshness } from '../../stores/live';
import { LiveIndicator } from '../inspection/LiveIndicator';

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
  const { reason } = useFreshness();
  // A running job's progress comes over the console's connection: once that (or the stack) is gone, the bar
  // stops where it was last reported and says since when, rather than moving as if it still knew. The database
  // listener's events do not carry it, so their loss alone leaves the job as it is.
  const stale = job.state === 'running' && (reason === 'disconnected' || reason === 'stack-down');
  const running = job.state === 'running' && !stale;
  const done = job.state === 'done';
  // A finished job ends at 100 % with its result; a failed or cancelled one keeps where it stopped.
  const shown = done ? 100 : Math.round(value ?? 0);
  return (
    <Box
      data-testid="backup-job"
      data-state={job.state}
      data-progress={running && value === undefined ? 'indeterminate' : shown}
      data-live={job.state === 'running' ? String(!stale) : undefined}
      sx={{ my: 2 }}
    >
      {stale && <LiveIndicator syncedAt={undefined} testId="backup-job-live-state" />}
      <Typography
        variant="body2"
        gutterBottom
        color={running || stale ? 'text.primary' : done ? 'success.main' : 'error'}
        role={running || stale ? undefined : 'status'}
        data-testid="backup-job-outcome"
      >
        {running || stale ? job.step : jobOutcome(job)}
        {(running || stale) && job.database ? ` — ${job.database}` : ''}
        {stale ? ' (last reported)' : ''}
      </Typography>
      <LinearProgress
        variant={running && value === undefined ? 'indeterminate' : 'determinate'}
        value={shown}
        color={job.state === 'failed' ? 'error' : done ? 'success' : 'primary'}
        aria-label={`${job.action} progress`}
      />
      <Box sx={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', mt: 0.5 }}>
        <Typography variant="caption" color="text.secondary">
          {running ? '' : `${shown} %${stale ? ' when last reported' : ''} · `}
          {job.tablesTotal > 0
            ? `${done ? job.tablesTotal : job.tablesDone} of ${pluralize(job.tablesTotal, 'table')}`
            : ''}
          {byBytes
            ? done
              ? ` · ${formatBytes(job.bytesDone)}`
              : ` · ${formatBytes(job.bytesDone)} of up to ${formatBytes(job.bytesTotal)}`
            : ''}
        </Typography>
        {job.state === 'running' && onCancel && job.action !== 'restore' && (
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
