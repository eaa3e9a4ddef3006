// The running backup, verify or restore job: its step, a progress bar over bytes (or tables), and a cancel button.
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Typography from '@mui/material/Typography';
import type { BackupJob } from '../../../../main/api/contract';

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
  return (
    <Box data-testid="backup-job" sx={{ my: 2 }}>
      <Typography variant="body2" gutterBottom>
        {running ? job.step : `${job.action} ${job.state}`}
        {job.database ? ` — ${job.database}` : ''}
      </Typography>
      <LinearProgress
        variant={running && value === undefined ? 'indeterminate' : 'determinate'}
        value={running ? (value ?? 0) : 100}
        color={job.state === 'failed' ? 'error' : job.state === 'done' ? 'success' : 'primary'}
      />
      <Box sx={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', mt: 0.5 }}>
        <Typography variant="caption" color="text.secondary">
          {job.tablesTotal > 0 ? `${job.tablesDone} of ${job.tablesTotal} tables` : ''}
          {byBytes ? ` · ${formatBytes(job.bytesDone)} of up to ${formatBytes(job.bytesTotal)}` : ''}
        </Typography>
        {running && onCancel && job.action !== 'restore' && (
          <Button size="small" onClick={onCancel} data-testid="backup-cancel">
            Cancel
          </Button>
        )}
      </Box>
      {job.error && (
        <Typography variant="body2" color="error">
          {job.error.message}
        </Typography>
      )}
    </Box>
  );
}
