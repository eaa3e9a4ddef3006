// The Metrics dashboard's queries: read migration 0002's histogram and daily counters, never the raw rows.
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

function where(f: MetricsFilter, args: unknown[]): string {
  const w: string[] = [];
  const arg = (v: unknown) => {
    args.push(v);
    return `$${args.length}`;
  };
  if (f.version) w.push(`version = ${arg(f.version)}`);
  if (f.from) w.push(`day >= (${arg(f.from)}::timestamptz AT TIME ZONE 'UTC')::date`);
  if (f.to) w.push(`day <= (${arg(f.to)}::timestamptz AT TIME ZONE 'UTC')::date`);
  return w.length ? `WHERE ${w.join(' AND ')}` : '';
}

async function timed<T>(queryMs: Record<string, number>, name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    queryMs[name] = Math.round((performance.now() - started) * 10) / 10;
  }
}

const phaseOrder = (phase: string) => PHASES.find((p) => p.id === phase)?.number ?? 99;

export async function metricsView(db: pg.Pool, f: MetricsFilter): Promise<MetricsView> {
  const queryMs: Record<string, number> = {};
  const durArgs: unknown[] = [];
  const trendArgs: unknown[] = [];
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
    timed(queryMs, 'trends', () =>
      db.query<{ day: Date; phase: string; bucket: number; count: string }>(
        `SELECT day, phase, bucket, sum(count) AS count FROM inspection_phase_histogram
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
    { day: string; phase: string; buckets: { bucket: number; count: number }[] }
  >();
  for (const r of trend.rows) {
    const day = r.day.toISOString().slice(0, 10);
    const key = `${day}|${r.phase}`;
    const g = trendGroups.get(key) ?? { day, phase: r.phase, buckets: [] };
    g.buckets.push({ bucket: r.bucket, count: Number(r.count) });
    trendGroups.set(key, g);
  }
  const trends = [...trendGroups.values()]
    .map((g) => ({
      day: g.day,
      phase: g.phase,
      p50: histogramPercentiles(g.buckets, [0.5])[0]!,
      count: g.buckets.reduce((n, b) => n + b.count, 0),
    }))
    .sort((a, b) => a.day.localeCompare(b.day) || phaseOrder(a.phase) - phaseOrder(b.phase));

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
