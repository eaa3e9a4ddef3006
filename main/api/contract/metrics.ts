// The Metrics page's shapes (phase durations, rates, bottlenecks, trends) and the workflow alerts view.
import { z } from 'zod';
import { startNotAfterEnd } from './ranges';

export const MetricsInputSchema = z
  .object({
    version: z.number().int().positive().optional(),
    from: z.string().datetime({ offset: true }).optional(),
    to: z.string().datetime({ offset: true }).optional(),
  })
  .strict()
  .superRefine(startNotAfterEnd('from', 'to'));

/** Percentiles of work time (active_ms; a phase recorded before it was kept counts whole); waiting beside it. */
export interface PhaseDurationStat {
  phase: string;
  version: number;
  count: number;
  p50: number;
  p90: number;
  p99: number;
  meanActiveMs: number;
  /** Mean time a completed phase waited for a person (scope approval, RFI answers, results). */
  meanWaitingMs: number;
}

export interface PhaseRateStat {
  phase: string;
  version: number;
  attempts: number;
  retries: number;
  failures: number;
  exhausted: number;
  retryRate: number;
  failureRate: number;
}

export interface MetricsView {
  durations: PhaseDurationStat[];
  /**
   * Phases ranked by their share of all active time (work, retries and backoff); waiting for a person is shown
   * beside it, never ranked (mean ms per completed phase).
   */
  bottlenecks: Array<{
    phase: string;
    share: number;
    p90: number;
    meanActiveMs: number;
    meanWaitingMs: number;
  }>;
  /** p50 work time per phase and hour or day (`at`: an hour's ISO start, or YYYY-MM-DD), with its runs. */
  trends: Array<{ at: string; phase: string; p50: number; count: number }>;
  /** Hours for a period of up to two days, days otherwise. */
  trendUnit: 'hour' | 'day';
  rates: PhaseRateStat[];
  versions: number[];
  /** Milliseconds each query took on the server (the dashboard shows them; the bench reads them). */
  queryMs: Record<string, number>;
}

export interface AlertView {
  id: number;
  workflowId: string;
  runId: string;
  phase: string | null;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  message: string;
  createdAt: string;
  acknowledgedAt: string | null;
}
