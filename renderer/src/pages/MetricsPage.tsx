// Metrics: per-phase duration percentiles, bottlenecks, trends, retry and failure rates by workflow version
// (MUI X Charts), and the alerts from workflow_alerts with acknowledgement.
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import LinearProgress from '@mui/material/LinearProgress';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { BarChart } from '@mui/x-charts/BarChart';
import { LineChart } from '@mui/x-charts/LineChart';
import type { ReactNode } from 'react';
import { useEffect } from 'react';
import { PHASES, type MetricsView } from '../../../main/api/contract';
import { EmptyState } from '../components/EmptyState';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatDuration, formatTime } from '../inspection/format';
import { useMetrics } from '../stores/metrics';

const SHORT = Object.fromEntries(PHASES.map((p) => [p.id, `${p.number}. ${p.label.split(' ')[0]}`]));
const LABEL = Object.fromEntries(PHASES.map((p) => [p.id, `${p.number}. ${p.label}`]));

function Panel({ title, testId, children }: { title: string; testId: string; children: ReactNode }) {
  return (
    <Card data-testid={testId} sx={{ flex: '1 1 460px', minWidth: 0 }}>
      <CardContent>
        <Typography variant="subtitle1" gutterBottom>
          {title}
        </Typography>
        {children}
      </CardContent>
    </Card>
  );
}

/** One percentile row per phase: the selected version, else every version merged by count-weighted max. */
function percentileRows(view: MetricsView) {
  return PHASES.map((p) => {
    const rows = view.durations.filter((d) => d.phase === p.id);
    const count = rows.reduce((n, r) => n + r.count, 0);
    const pick = (k: 'p50' | 'p90' | 'p99') =>
      count ? rows.reduce((n, r) => n + r[k] * r.count, 0) / count : 0;
    return {
      phase: SHORT[p.id]!,
      p50: pick('p50') / 1000,
      p90: pick('p90') / 1000,
      p99: pick('p99') / 1000,
      waiting: (count ? rows.reduce((n, r) => n + r.meanWaitingMs * r.count, 0) / count : 0) / 1000,
      count,
    };
  }).filter((r) => r.count > 0);
}

export function MetricsPage() {
  const m = useMetrics();
  useEffect(() => {
    void useMetrics.getState().load();
  }, []);
  const view = m.view;
  const durations = view ? percentileRows(view) : [];
  const days = view ? [...new Set(view.trends.map((t) => t.day))] : [];
  const trendPhases = view ? PHASES.filter((p) => view.trends.some((t) => t.phase === p.id)) : [];
  const rates = view
    ? PHASES.map((p) => {
        const rows = view.rates.filter((r) => r.phase === p.id);
        const attempts = rows.reduce((n, r) => n + r.attempts, 0);
        return {
          phase: SHORT[p.id]!,
          retry: attempts ? (100 * rows.reduce((n, r) => n + r.retries, 0)) / attempts : 0,
          failure: attempts ? (100 * rows.reduce((n, r) => n + r.failures, 0)) / attempts : 0,
          attempts,
        };
      }).filter((r) => r.attempts > 0)
    : [];
  const maxQuery = view ? Math.max(0, ...Object.values(view.queryMs)) : 0;

  return (
    <>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 1 }}>
        <Typography variant="h5" sx={{ flex: 1 }}>
          Metrics
        </Typography>
        {view && (
          <Typography variant="caption" color="text.secondary" data-testid="metrics-query-ms">
            queries {maxQuery} ms max
          </Typography>
        )}
        <TextField
          select
          label="Version"
          value={m.version ?? ''}
          onChange={(e) => m.setVersion(e.target.value ? Number(e.target.value) : undefined)}
          sx={{ width: 120 }}
        >
          <MenuItem value="">all</MenuItem>
          {(view?.versions ?? []).map((v) => (
            <MenuItem key={v} value={v}>
              v{v}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          label="Period"
          value={m.days ?? ''}
          onChange={(e) => m.setDays(e.target.value ? Number(e.target.value) : undefined)}
          sx={{ width: 140 }}
        >
          <MenuItem value="">all time</MenuItem>
          <MenuItem value={1}>last day</MenuItem>
          <MenuItem value={7}>last 7 days</MenuItem>
          <MenuItem value={30}>last 30 days</MenuItem>
        </TextField>
        <Button onClick={() => void m.load()}>Refresh</Button>
      </Stack>
      {m.loading && <LinearProgress />}
      {m.error && <ErrorAlert error={m.error} />}
      {view && durations.length === 0 && (
        <EmptyState title="No completed phases yet">
          Durations, bottlenecks and rates appear once cycles have completed phases.
        </EmptyState>
      )}
      {view && durations.length > 0 && (
        <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 2 }} data-testid="metrics-dashboard">
          <Panel
            title="Phase work time percentiles, waiting for a person beside (s)"
            testId="metrics-durations"
          >
            <BarChart
              height={280}
              dataset={durations}
              xAxis={[{ scaleType: 'band', dataKey: 'phase' }]}
              series={[
                { dataKey: 'p50', label: 'p50' },
                { dataKey: 'p90', label: 'p90' },
                { dataKey: 'p99', label: 'p99' },
                { dataKey: 'waiting', label: 'waiting (mean)' },
              ]}
            />
          </Panel>
          <Panel title="Bottlenecks: share of total work time" testId="metrics-bottlenecks">
            {view.bottlenecks.map((b, i) => (
              <Box key={b.phase} sx={{ mb: 1 }} data-testid="bottleneck-row" data-phase={b.phase}>
                <Typography variant="body2">
                  #{i + 1} {LABEL[b.phase] ?? b.phase} — {(b.share * 100).toFixed(1)} % of work · mean work{' '}
                  {formatDuration(b.meanActiveMs)}
                  {b.meanWaitingMs > 0 && (
                    <Typography
                      component="span"
                      variant="body2"
                      color="info.main"
                      data-testid="bottleneck-waiting"
                    >
                      {' '}
                      · waiting for a person {formatDuration(b.meanWaitingMs)}
                    </Typography>
                  )}
                </Typography>
                <LinearProgress variant="determinate" value={b.share * 100} />
              </Box>
            ))}
          </Panel>
          <Panel title="Trend: daily p50 per phase (s)" testId="metrics-trends">
            <LineChart
              height={280}
              xAxis={[{ scaleType: 'point', data: days }]}
              series={trendPhases.map((p) => ({
                label: SHORT[p.id],
                data: days.map((d) => {
                  const t = view.trends.find((x) => x.day === d && x.phase === p.id);
                  return t ? t.p50 / 1000 : null;
                }),
                connectNulls: true,
                showMark: true,
              }))}
            />
          </Panel>
          <Panel title="Retry and failure rate per attempt (%)" testId="metrics-rates">
            {rates.length ? (
              <BarChart
                height={280}
                dataset={rates}
                xAxis={[{ scaleType: 'band', dataKey: 'phase' }]}
                series={[
                  { dataKey: 'retry', label: 'retries' },
                  { dataKey: 'failure', label: 'failed attempts' },
                ]}
              />
            ) : (
              <Typography variant="body2">No activity attempts recorded.</Typography>
            )}
          </Panel>
          <Panel title="Per version" testId="metrics-versions">
            {view.durations.map((d) => (
              <Typography key={`${d.phase}:${d.version}`} variant="body2">
                v{d.version} · {LABEL[d.phase] ?? d.phase}: {d.count} runs · p50 {formatDuration(d.p50)} · p90{' '}
                {formatDuration(d.p90)} · p99 {formatDuration(d.p99)} of work
                {d.meanWaitingMs > 0 && ` · waiting for a person ${formatDuration(d.meanWaitingMs)}`}
              </Typography>
            ))}
          </Panel>
        </Box>
      )}
      <Typography variant="h6" sx={{ mt: 3 }}>
        Alerts{' '}
        <Chip size="small" label={`${m.openAlerts} open`} color={m.openAlerts ? 'warning' : 'default'} />
      </Typography>
      {m.alerts.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          No open alerts.
        </Typography>
      ) : (
        <Box data-testid="alerts-list">
          <Button onClick={() => void m.acknowledge(m.alerts.map((a) => a.id))} sx={{ my: 1 }}>
            Acknowledge all shown
          </Button>
          {m.alerts.map((a) => (
            <Stack
              key={a.id}
              direction="row"
              spacing={1}
              sx={{ alignItems: 'center', py: 0.5 }}
              data-testid="alert-row"
            >
              <Chip
                size="small"
                label={a.severity}
                color={a.severity === 'critical' ? 'error' : a.severity === 'warning' ? 'warning' : 'default'}
              />
              <Typography variant="body2" sx={{ flex: 1 }}>
                {formatTime(a.createdAt)} · {a.workflowId} · {a.message}
              </Typography>
              <Button onClick={() => void m.acknowledge([a.id])} data-testid="alert-ack">
                Acknowledge
              </Button>
            </Stack>
          ))}
        </Box>
      )}
    </>
  );
}
