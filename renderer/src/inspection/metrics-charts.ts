// What the Metrics charts show, computed from the metrics view: which percentiles a sample supports, the phase
// labels of the x-axis, and the trend's buckets over the chosen range. Pure.
import { PHASES, type MetricsView } from '../../../main/api/contract';

/** Below these sample sizes a percentile is mostly the one slowest run: it is hidden and the chart says so. */
export const MIN_SAMPLES = { p90: 10, p99: 100 } as const;

export function percentileShown(percentile: 'p50' | 'p90' | 'p99', samples: number): boolean {
  if (percentile === 'p50') return samples > 0;
  return samples >= MIN_SAMPLES[percentile];
}

/** The note under the percentile chart, naming what is hidden and why; empty when nothing is. */
export function hiddenPercentilesNote(samples: readonly number[]): string {
  const parts: string[] = [];
  if (samples.some((n) => n > 0 && !percentileShown('p90', n)))
    parts.push(`p90 needs ≥ ${MIN_SAMPLES.p90} runs of a phase`);
  if (samples.some((n) => n > 0 && !percentileShown('p99', n))) parts.push(`p99 needs ≥ ${MIN_SAMPLES.p99}`);
  return parts.length ? `${parts.join(', ')}: hidden where there are fewer (runs under each phase).` : '';
}

/** "4. Data Owner Identification" wrapped on words to lines of about `width` characters, for an axis label. */
export function phaseAxisLabel(phase: string, samples?: number, width = 14): string {
  const def = PHASES.find((p) => p.id === phase);
  const words = (def ? `${def.number}. ${def.label}` : phase).split(' ');
  const lines: string[] = [];
  for (const w of words) {
    const last = lines.at(-1);
    if (last !== undefined && (last + ' ' + w).length <= width) lines[lines.length - 1] = `${last} ${w}`;
    else lines.push(w);
  }
  if (samples !== undefined) lines.push(`n = ${samples}`);
  return lines.join('\n');
}

export interface PercentileRow {
  phase: string;
  samples: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  waiting: number;
}

/** One row per phase with runs (work time in seconds): the selected version, else all versions weighted by runs. */
export function percentileRows(view: MetricsView): PercentileRow[] {
  return PHASES.map((p) => {
    const rows = view.durations.filter((d) => d.phase === p.id);
    const samples = rows.reduce((n, r) => n + r.count, 0);
    const pick = (k: 'p50' | 'p90' | 'p99') =>
      percentileShown(k, samples) ? rows.reduce((n, r) => n + r[k] * r.count, 0) / samples / 1000 : null;
    return {
      phase: p.id,
      samples,
      p50: pick('p50'),
      p90: pick('p90'),
      p99: pick('p99'),
      waiting: samples ? rows.reduce((n, r) => n + r.meanWaitingMs * r.count, 0) / samples / 1000 : 0,
    };
  }).filter((r) => r.samples > 0);
}

export type TrendBucket = 'hour' | 'day' | 'week';

export interface TrendSeries {
  /** Bucket keys (an hour's ISO start, or a day's YYYY-MM-DD), every bucket of the range, so gaps show as gaps. */
  buckets: string[];
  /** What the x-axis shows for each bucket: local `HH:00` (with the date at the first and at midnight), or the day. */
  labels: string[];
  bucket: TrendBucket;
  /** Per phase: p50 work time in seconds per bucket (weighted by runs within a week), null where none ran. */
  phases: Array<{ phase: string; values: Array<number | null>; samples: number[] }>;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const two = (n: number) => String(n).padStart(2, '0');

function hourLabel(ms: number, first: boolean): string {
  const d = new Date(ms);
  const time = `${two(d.getHours())}:00`;
  return first || d.getHours() === 0 ? `${two(d.getMonth() + 1)}-${two(d.getDate())} ${time}` : time;
}

/**
 * The trend over the chosen range: every hour of a period of up to two days (the back end sends hours then),
 * every day of a range up to 45 days, weeks (from Monday) beyond, so a long range does not become a comb and a
 * short one shows its empty hours or days. `days` undefined means all time (from the first day with runs).
 */
export function trendSeries(
  trends: MetricsView['trends'],
  days: number | undefined,
  now: Date = new Date(),
  unit: MetricsView['trendUnit'] = 'day',
): TrendSeries {
  let buckets: string[] = [];
  let bucket: TrendBucket;
  let bucketOf: (at: string) => string;
  if (unit === 'hour') {
    bucket = 'hour';
    const last = Math.floor(now.getTime() / HOUR) * HOUR;
    const first = Math.floor((now.getTime() - (days ?? 1) * DAY) / HOUR) * HOUR + HOUR;
    for (let ms = first; ms <= last; ms += HOUR) buckets.push(new Date(ms).toISOString());
    bucketOf = (at) => new Date(Math.floor(Date.parse(at) / HOUR) * HOUR).toISOString();
  } else {
    const today = Date.parse(isoDay(now.getTime()));
    const earliest = trends.length ? Math.min(...trends.map((t) => Date.parse(t.at))) : today;
    const start = days ? today - (days - 1) * DAY : Math.min(earliest, today);
    const span = Math.round((today - start) / DAY) + 1;
    bucket = span > 45 ? 'week' : 'day';
    const ofMs = (ms: number) => {
      if (bucket === 'day') return isoDay(ms);
      const weekday = (new Date(ms).getUTCDay() + 6) % 7; // Monday 0
      return isoDay(ms - weekday * DAY);
    };
    bucketOf = (at) => ofMs(Date.parse(at));
    buckets = [];
    for (let ms = start; ms <= today; ms += DAY) {
      const b = ofMs(ms);
      if (buckets.at(-1) !== b) buckets.push(b);
    }
  }
  const phases = PHASES.filter((p) => trends.some((t) => t.phase === p.id)).map((p) => {
    const sum = new Map<string, { weighted: number; samples: number }>();
    for (const t of trends) {
      if (t.phase !== p.id) continue;
      const b = bucketOf(t.at);
      const acc = sum.get(b) ?? { weighted: 0, samples: 0 };
      acc.weighted += t.p50 * t.count;
      acc.samples += t.count;
      sum.set(b, acc);
    }
    return {
      phase: p.id,
      values: buckets.map((b) => {
        const acc = sum.get(b);
        return acc && acc.samples ? acc.weighted / acc.samples / 1000 : null;
      }),
      samples: buckets.map((b) => sum.get(b)?.samples ?? 0),
    };
  });
  const labels = bucket === 'hour' ? buckets.map((b, i) => hourLabel(Date.parse(b), i === 0)) : buckets;
  return { buckets, labels, bucket, phases };
}

/** How many buckets of the range hold any run: a trend needs two. */
export function bucketsWithRuns(series: TrendSeries): number {
  return series.buckets.filter((_, i) => series.phases.some((p) => p.samples[i]! > 0)).length;
}
