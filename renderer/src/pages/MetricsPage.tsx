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
import { useTheme } from '@mui/material/styles';
import type { ReactNode } from 'react';
import { useEffect } from 'react';
import { PHASES } from '../../../main/api/contract';
import { EmptyState } from '../components/EmptyState';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatDuration, formatTime } from '../inspection/format';
import { pluralOf, pluralize } from '../inspection/pluralize';
import {
  bucketsWithRuns,
  hiddenPercentilesNote,
  MIN_SAMPLES,
  percentileRows,
  percentileShown,
  phaseAxisLabel,
  trendSeries,
} from '../inspection/metrics-charts';
import { useMetrics } from '../stores/metrics';

const LABEL = Object.fromEntries(PHASES.map((p) => [p.id, `${p.number}. ${p.label}`]));

function Panel(props: { title: string; testId: string; wide?: boolean; children: ReactNode }) {
  return (
    <Card data-testid={props.testId} sx={{ flex: props.wide ? '1 1 100%' : '1 1 460px', minWidth: 0 }}>
      <CardContent>
        <Typography variant="subtitle1" gutterBottom>
          {props.title}
        </Typography>
        {props.children}
      </CardContent>
    </Card>
  );
}

/** A phase axis that names every phase in full (wrapped), with the runs behind each bar when given. */
function phaseAxis(samples?: Record<string, number>) {
  return {
    scaleType: 'band' as const,
    dataKey: 'phase',
    height: samples ? 76 : 60,
    tickLabelInterval: () => true,
    valueFormatter: (phase: string, context: { location: string }) =>
      context.location === 'tick' ? phaseAxisLabel(phase, samples?.[phase]) : (LABEL[phase] ?? phase),
  };
}

const seconds = (v: number | null) => (v == null ? '—' : `${v < 10 ? v.toFixed(2) : v.toFixed(1)} s`);

export function MetricsPage() {
  const m = useMetrics();
  const theme = useTheme();
  useEffect(() => {
    void useMetrics.getState().load();
  }, []);
  const view = m.view;
  const durations = view ? percentileRows(view) : [];
  const samples = Object.fromEntries(durations.map((d) => [d.phase, d.samples]));
  const hiddenNote = hiddenPercentilesNote(durations.map((d) => d.samples));
  const waited = durations.filter((d) => d.waiting > 0);
  const trend = view ? trendSeries(view.trends, m.days, new Date(), view.trendUnit) : undefined;
  const trendReady = trend ? bucketsWithRuns(trend) >= 2 : false;
  const versions = [...new Set([...(view?.versions ?? []), ...(m.version ? [m.version] : [])])].sort(
    (a, b) => a - b,
  );
  const rates = view
    ? PHASES.map((p) => {
        const rows = view.rates.filter((r) => r.phase === p.id);
        const attempts = rows.reduce((n, r) => n + r.attempts, 0);
        return {
          phase: p.id,
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
        <Typography variant="h5" component="h1" sx={{ flex: 1 }}>
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
          data-testid="metrics-version"
          value={m.version ?? ''}
          onChange={(e) => m.setVersion(e.target.value ? Number(e.target.value) : undefined)}
          sx={{ width: 120 }}
          // "all" shows as the value, not as an empty field under its label.
          slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
        >
          <MenuItem value="">all</MenuItem>
          {versions.map((v) => (
            <MenuItem key={v} value={v}>
              v{v}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          label="Period"
          data-testid="metrics-period"
          value={m.days ?? ''}
          onChange={(e) => m.setDays(e.target.value ? Number(e.target.value) : undefined)}
          sx={{ width: 140 }}
          slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
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
          {m.version || m.days
            ? 'No phase completed for this version and period. Choose all versions or a longer period.'
            : 'Start a cycle on the Workflows page: every phase it completes adds its work time, retries and waiting here.'}
        </EmptyState>
      )}
      {view && durations.length > 0 && (
        <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 2 }} data-testid="metrics-dashboard">
          <Panel title="Work time per phase: p50, p90, p99 (s)" testId="metrics-durations" wide>
            <BarChart
              height={320}
              dataset={durations as unknown as Record<string, number | string | null>[]}
              xAxis={[phaseAxis(samples)]}
              // A percentile no phase has enough runs for is left out; the note below says why.
              series={(['p50', 'p90', 'p99'] as const)
                .filter((k) => durations.some((d) => d[k] !== null))
                .map((k) => ({
                  dataKey: k,
                  label: k,
                  valueFormatter: (v: number | null, { dataIndex }: { dataIndex: number }) => {
                    const row = durations[dataIndex]!;
                    return v == null
                      ? `hidden: ${row.samples} runs, needs ≥ ${k === 'p90' ? MIN_SAMPLES.p90 : MIN_SAMPLES.p99}`
                      : `${seconds(v)} (n = ${row.samples})`;
                  },
                }))}
            />
            {hiddenNote && (
              <Typography variant="body2" color="text.secondary" data-testid="metrics-hidden-percentiles">
                {hiddenNote}
              </Typography>
            )}
          </Panel>
          <Panel
            title="Waiting for a person per phase: mean (s), not counted as work"
            testId="metrics-waiting"
          >
            {waited.length ? (
              <BarChart
                height={260}
                dataset={waited as unknown as Record<string, number | string | null>[]}
                // A lone bar stays a bar, not a wall.
                xAxis={[{ ...phaseAxis(), categoryGapRatio: waited.length < 4 ? 0.7 : 0.3 }]}
                series={[
                  {
                    dataKey: 'waiting',
                    label: 'waiting (mean)',
                    color: theme.palette.info.main,
                    valueFormatter: seconds,
                  },
                ]}
              />
            ) : (
              <Typography variant="body2" color="text.secondary">
                No phase has waited for a person in this period. Scope approvals, RFI answers and test results
                given in the console show here as the time they took.
              </Typography>
            )}
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
                <LinearProgress
                  variant="determinate"
                  value={b.share * 100}
                  aria-label={`${LABEL[b.phase] ?? b.phase}: share of work`}
                />
              </Box>
            ))}
          </Panel>
          <Panel
            title={`Trend: p50 work time per ${trend?.bucket ?? 'day'} (s)`}
            testId="metrics-trends"
            wide
          >
            {trend && trendReady ? (
              <LineChart
                height={300}
                xAxis={[{ scaleType: 'point', data: trend.labels, height: 40 }]}
                series={trend.phases.map((p) => ({
                  label: LABEL[p.phase],
                  data: p.values,
                  connectNulls: false,
                  showMark: true,
                  valueFormatter: (v: number | null, { dataIndex }: { dataIndex: number }) =>
                    v == null ? 'no runs' : `${seconds(v)} (n = ${p.samples[dataIndex]})`,
                }))}
              />
            ) : (
              <Typography variant="body2" color="text.secondary" data-testid="metrics-trend-empty">
                A trend needs runs in two {pluralOf(trend?.bucket ?? 'day')} or more of the period; the runs
                in this period fall in {trend && bucketsWithRuns(trend) === 1 ? 'one' : 'none'}. Choose a
                longer period, or come back after cycles have run in other {pluralOf(trend?.bucket ?? 'day')}.
              </Typography>
            )}
          </Panel>
          <Panel title="Retry and failure rate per attempt (%)" testId="metrics-rates" wide>
            {rates.some((r) => r.retry > 0 || r.failure > 0) ? (
              <BarChart
                height={300}
                dataset={rates}
                xAxis={[phaseAxis()]}
                series={[
                  { dataKey: 'retry', label: 'retries' },
                  { dataKey: 'failure', label: 'failed attempts' },
                ]}
              />
            ) : rates.length ? (
              // All zero: a chart of empty bars says less than the sentence, and its axis has nothing to scale to.
              <Typography variant="body2" color="text.secondary" data-testid="metrics-rates-none">
                No retries and no failed attempts in this period:{' '}
                {pluralize(
                  rates.reduce((n, r) => n + r.attempts, 0),
                  'activity attempt',
                )}
                , none retried, none failed.
              </Typography>
            ) : (
              <Typography variant="body2" color="text.secondary">
                No activity attempts in this period: retry and failure rates show once cycles have run
                activities.
              </Typography>
            )}
          </Panel>
          <Panel title="Per version" testId="metrics-versions">
            {view.durations.map((d) => (
              <Typography key={`${d.phase}:${d.version}`} variant="body2">
                v{d.version} · {LABEL[d.phase] ?? d.phase}: {pluralize(d.count, 'run')} · p50{' '}
                {formatDuration(d.p50)}
                {percentileShown('p90', d.count) && ` · p90 ${formatDuration(d.p90)}`}
                {percentileShown('p99', d.count) && ` · p99 ${formatDuration(d.p99)}`} of work
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
