// Continuous archiving per cluster: last archived segment, lag, archive size, base backups, oldest recoverable moment.
import Alert from '@mui/material/Alert';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Grid from '@mui/material/Grid';
import Typography from '@mui/material/Typography';
import type { ArchiveHealth } from '../../../main/api/contract';
import { pluralize } from '../inspection/pluralize';

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export function ArchiveHealthCards({ health }: { health: ArchiveHealth[] }) {
  return (
    <Grid container spacing={2} sx={{ mb: 3 }}>
      {health.map((h) => (
        <Grid key={h.cluster} size={{ xs: 12, md: 6 }}>
          <Card variant="outlined" data-testid={`archive-${h.cluster}`} data-base-backups={h.baseBackups}>
            <CardContent>
              <Typography variant="subtitle1">{h.cluster}</Typography>
              <Typography variant="body2" color="text.secondary">
                {h.enabled ? 'archiving' : 'archiving off'} · last segment {h.lastArchivedWal ?? '—'}
                {h.lastArchivedAt ? ` at ${new Date(h.lastArchivedAt).toLocaleString()}` : ''}
                {/* The lag is known only while the cluster answers: left out rather than shown as "?". */}
                {h.lagSegments === undefined ? '' : ` · ${pluralize(h.lagSegments, 'segment')} behind`} ·{' '}
                {mb(h.archiveBytes)} in {pluralize(h.segments, 'segment')} ·{' '}
                {pluralize(h.baseBackups, 'base backup')} · oldest recoverable{' '}
                {h.oldestRecoverable ? new Date(h.oldestRecoverable).toLocaleString() : '—'}
              </Typography>
              {h.problem && (
                <Alert severity="error" sx={{ mt: 1 }} data-testid={`archive-problem-${h.cluster}`}>
                  {h.problem}
                </Alert>
              )}
            </CardContent>
          </Card>
        </Grid>
      ))}
    </Grid>
  );
}
