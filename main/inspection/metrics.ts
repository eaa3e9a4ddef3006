// The Metrics dashboard's queries: read the histograms and daily counters the migrations keep, never the raw rows.
import type pg from 'pg';
import type { MetricsView, PhaseDurationStat, PhaseRateStat } from '../api';
import { PHASES } from '../../shared/phases';
import { histogramPercentiles } from './histogram';
import type { PhaseDurationStats } from './phase-states';

interface MetricsFilter {
  version?: number;
  from?: string;
  to?: string;
}

/** The filter on a daily table (`day`) or on the hourly one (`hour`), its values appended to `args`. */
function where(f: MetricsFilter, args: unknown[], unit: 'day' | 'hour' = 'day'): string {
  const w: string[] = [];
  const arg = (v: unknown) => {
    args.push(v);
    return `$${args.length}`;
  };
  if (f.version) w.push(`version = ${arg(f.version)}`);
  if (unit === 'hour') {
    if (f.from) w.push(`hour >= date_trunc('hour', ${arg(f.from)}::timestamptz)`);
    if (f.to) w.push(`hour <= ${arg(f.to)}::timestamptz`);
  } else {
    if (f.from) w.push(`day >= (${arg(f.from)}::timestamptz AT TIME ZONE 'UTC')::date`);
    if (f.to) w.push(`day <= (${arg(f.to)}::timestamptz AT TIME ZONE 'UTC')::date`);
  }
  return w.length ? `WHERE ${w.join(' AND ')}` : '';
}

/** Periods up to two days trend hour by hour; longer ones day by day (the page groups long ones by week). */
const HOURLY_UP_TO_MS = 2 * 86_400_000;

export function trendUnit(f: MetricsFilter, now = Date.now()): 'hour' | 'day' {
  if (!f.from) return 'day';
  const to = f.to ? Date.parse(f.to) : now;
  return to - Date.parse(f.from) <= HOURLY_UP_TO_MS ? 'hour' : 'day';
}

async function timed<T>(queryMs: Record<string, number>, name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    queryMs[name] = Math.round((performance.now() - started) * 10) / 10;
  }
}

/** A pg `date` as YYYY-MM-DD: node-postgres reads it as that day's local midnight. */
const isoDate = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

const phaseOrder = (phase: string) => PHASES.find((p) => p.id === phase)?.number ?? 99;

export async function metricsView(db: pg.Pool, f: MetricsFilter): Promise<MetricsView> {
  const queryMs: Record<string, number> = {};
  const durArgs: unknown[] = [];
  const trendArgs: unknown[] = [];
  const unit = trendUnit(f);
  const rateArgs: unknown[] = [];
  const [hist, trend, rates, versions] = await Promise.all([
    timed(queryMs, 'durations', () =>
      db.query<{
        phase: string;
        version: number;
        bucket: number;
        count: string;
        sum_active_ms: string;
        sum_waiting_ms: string;
      }>(
        // Bucketed by active time (migration 0005): the percentiles are of work, not of waiting for a person.
        `SELECT phase, version, bucket, sum(count) AS count, sum(sum_active_ms) AS sum_active_ms,
                sum(sum_waiting_ms) AS sum_waiting_ms FROM inspection_phase_active_histogram
          ${where(f, durArgs)} GROUP BY phase, version, bucket`,
        durArgs,
      ),
    ),
    // Work time, as the percentiles: per hour from migration 0006's histogram, per day from 0005's.
    timed(queryMs, 'trends', () =>
      db.query<{ at: Date; phase: string; bucket: number; count: string }>(
        unit === 'hour'
          ? `SELECT hour AS at, phase, bucket, sum(count) AS count FROM inspection_phase_active_hourly
              ${where(f, trendArgs, 'hour')} GROUP BY hour, phase, bucket`
          : `SELECT day AS at, phase, bucket, sum(count) AS count FROM inspection_phase_active_histogram
              ${where(f, trendArgs)} GROUP BY day, phase, bucket`,
        trendArgs,
      ),
    ),
    timed(queryMs, 'rates', () =>
      db.query<{
        phase: string;
        version: number;
        attempts: string;
        retries: string;
        failures: string;
        exhausted: string;
      }>(
        `SELECT phase, version, sum(attempts) AS attempts, sum(retries) AS retries, sum(failures) AS failures,
                sum(exhausted) AS exhausted FROM inspection_activity_daily ${where(f, rateArgs)} GROUP BY phase, version`,
        rateArgs,
      ),
    ),
    timed(queryMs, 'versions', () =>
      db.query<{ version: number }>(
        // Every version a cycle ran on (a skip scan of the version index: one probe per version, not per row),
        // the versions the metrics tables hold and the registered ones.
        `WITH RECURSIVE ran(version) AS (
             (SELECT version FROM workflow_executions ORDER BY version LIMIT 1)
             UNION ALL
             SELECT (SELECT e.version FROM workflow_executions e WHERE e.version > ran.version
                      ORDER BY e.version LIMIT 1) FROM ran WHERE ran.version IS NOT NULL)
           SELECT DISTINCT version FROM (
             SELECT version FROM ran WHERE version IS NOT NULL
             UNION SELECT to_version FROM workflow_migration_history
             UNION SELECT version FROM inspection_activity_daily
             UNION SELECT version FROM inspection_phase_active_histogram) v ORDER BY version`,
      ),
    ),
  ]);

  const groups = new Map<
    string,
    {
      phase: string;
      version: number;
      buckets: { bucket: number; count: number }[];
      active: number;
      waiting: number;
    }
  >();
  for (const r of hist.rows) {
    const key = `${r.phase}|${r.version}`;
    const g = groups.get(key) ?? {
      phase: r.phase,
      version: r.version,
      buckets: [],
      active: 0,
      waiting: 0,
    };
    g.buckets.push({ bucket: r.bucket, count: Number(r.count) });
    g.active += Number(r.sum_active_ms);
    g.waiting += Number(r.sum_waiting_ms);
    groups.set(key, g);
  }
  const durations: PhaseDurationStat[] = [...groups.values()]
    .map((g) => {
      const count = g.buckets.reduce((n, b) => n + b.count, 0);
      const [p50, p90, p99] = histogramPercentiles(g.buckets, [0.5, 0.9, 0.99]) as [number, number, number];
      return {
        phase: g.phase,
        version: g.version,
        count,
        p50,
        p90,
        p99,
        meanActiveMs: count ? Math.round(g.active / count) : 0,
        meanWaitingMs: count ? Math.round(g.waiting / count) : 0,
      };
    })
    .sort((a, b) => phaseOrder(a.phase) - phaseOrder(b.phase) || a.version - b.version);

  // Ranked by active time: a phase that waits long for a person is not a bottleneck of the system.
  const perPhase = new Map<
    string,
    { active: number; waiting: number; count: number; buckets: { bucket: number; count: number }[] }
  >();
  for (const g of groups.values()) {
    const p = perPhase.get(g.phase) ?? { active: 0, waiting: 0, count: 0, buckets: [] };
    p.active += g.active;
    p.waiting += g.waiting;
    p.count += g.buckets.reduce((n, b) => n + b.count, 0);
    p.buckets.push(...g.buckets);
    perPhase.set(g.phase, p);
  }
  const totalActive = [...perPhase.values()].reduce((n, p) => n + p.active, 0);
  const bottlenecks = [...perPhase.entries()]
    .map(([phase, p]) => ({
      phase,
      share: totalActive ? p.active / totalActive : 0,
      p90: histogramPercentiles(p.buckets, [0.9])[0]!,
      meanActiveMs: p.count ? Math.round(p.active / p.count) : 0,
      meanWaitingMs: p.count ? Math.round(p.waiting / p.count) : 0,
    }))
    .sort((a, b) => b.share - a.share);

  const trendGroups = new Map<
    string,
    { at: string; phase: string; buckets: { bucket: number; count: number }[] }
  >();
  for (const r of trend.rows) {
    // A day is a date (pg reads it as local midnight: its own date is kept); an hour is its UTC start.
    const at = unit === 'hour' ? r.at.toISOString() : isoDate(r.at);
    const key = `${at}|${r.phase}`;
    const g = trendGroups.get(key) ?? { at, phase: r.phase, buckets: [] };
    g.buckets.push({ bucket: r.bucket, count: Number(r.count) });
    trendGroups.set(key, g);
  }
  const trends = [...trendGroups.values()]
    .map((g) => ({
      at: g.at,
      phase: g.phase,
      p50: histogramPercentiles(g.buckets, [0.5])[0]!,
      count: g.buckets.reduce((n, b) => n + b.count, 0),
    }))
    .sort((a, b) => a.at.localeCompare(b.at) || phaseOrder(a.phase) - phaseOrder(b.phase));

  const rateStats: PhaseRateStat[] = rates.rows
    .map((r) => {
      const attempts = Number(r.attempts);
      return {
        phase: r.phase,
        version: r.version,
        attempts,
        retries: Number(r.retries),
        failures: Number(r.failures),
        exhausted: Number(r.exhausted),
        retryRate: attempts ? Number(r.retries) / attempts : 0,
        failureRate: attempts ? Number(r.failures) / attempts : 0,
      };
    })
    .sort((a, b) => phaseOrder(a.phase) - phaseOrder(b.phase) || a.version - b.version);

  return {
    durations,
    bottlenecks,
    trends,
    trendUnit: unit,
    rates: rateStats,
    versions: versions.rows.map((r) => r.version),
    queryMs,
  };
}

/** p50/p90 of every phase over all versions and days: the ETA a running phase shows. */
export async function phaseDurationStats(db: pg.Pool): Promise<PhaseDurationStats> {
  const { rows } = await db.query<{ phase: string; bucket: number; count: string }>(
    'SELECT phase, bucket, sum(count) AS count FROM inspection_phase_histogram GROUP BY phase, bucket',
  );
  const byPhase = new Map<string, { bucket: number; count: number }[]>();
  for (const r of rows) {
    const list = byPhase.get(r.phase) ?? [];
    list.push({ bucket: r.bucket, count: Number(r.count) });
    byPhase.set(r.phase, list);
  }
  const stats: PhaseDurationStats = {};
  for (const [phase, buckets] of byPhase) {
    const [p50, p90] = histogramPercentiles(buckets, [0.5, 0.9]) as [number, number];
    stats[phase] = { p50, p90 };
  }
  return stats;
}
