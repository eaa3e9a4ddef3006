// Raises service health alerts: from the crash watcher (exited, restarted, failed probe) and from the services'
// own log lines (a burst of authentication failures; out of memory, disk full or a panic at the first line).
import type { ServiceAlert, ServiceAlertKind } from '../api';
import type { Router } from '../api';
import type { LogBus, Logger } from '../logs';

const SERVICES: Record<string, string> = {
  'app-postgres': 'App PostgreSQL',
  'temporal-postgres': 'Temporal PostgreSQL',
  temporal: 'Temporal server',
  'temporal-ui': 'Temporal Web UI',
  worker: 'Worker',
};
const KEPT_LINES = 12;
const KEPT_ALERTS = 200;

interface BurstRule {
  kind: ServiceAlertKind;
  pattern: RegExp;
  /** How many matching lines within windowMs raise it. */
  threshold: number;
  windowMs: number;
  severity: ServiceAlert['severity'];
  title: string;
  message: (label: string, count: number) => string;
  fix: (label: string) => string;
}

export const BURST_RULES: BurstRule[] = [
  {
    kind: 'auth-failures',
    pattern: /password authentication failed|authentication failed for user|no pg_hba\.conf entry/i,
    threshold: 5,
    windowMs: 10_000,
    severity: 'warning',
    title: 'Repeated authentication failures',
    message: (label, n) => `${label} refused ${n} logins with a wrong password or user in 10 s.`,
    fix: (label) =>
      `The lines name the user and database: find the client that uses them and give it the right password (the console's own connections take theirs from the secret store). Repeated failures from an unknown client can be an attack: keep ${label} bound to 127.0.0.1.`,
  },
  {
    kind: 'out-of-memory',
    pattern: /out of memory|cannot allocate memory|OOMKilled/i,
    threshold: 1,
    windowMs: 60_000,
    severity: 'critical',
    title: 'Out of memory',
    message: (label) => `${label} ran out of memory.`,
    fix: () =>
      'Free memory on this machine (close other programs, lower worker.maxConcurrentActivities or worker.processes), then restart the service.',
  },
  {
    kind: 'disk-full',
    pattern: /no space left on device|could not extend file|disk is full/i,
    threshold: 1,
    windowMs: 60_000,
    severity: 'critical',
    title: 'Disk full',
    message: (label) => `${label} could not write: the disk is full.`,
    fix: () =>
      'Free space on the disk that holds the data folder: remove old backup sets and replaced databases (Backups page), lower Settings → Logs → kept files, then restart the service.',
  },
  {
    kind: 'panic',
    pattern: /^panic: |\bPANIC: |goroutine \d+ \[running\]:|"level":"(?:dpanic|panic|fatal)"/,
    threshold: 1,
    windowMs: 60_000,
    severity: 'critical',
    title: 'Crashed with a panic',
    message: (label) => `${label} reported a fatal error (a panic).`,
    fix: () =>
      'Read the lines for the cause (a corrupted database, a wrong configuration); fix it and restart the service. The crash watcher restarts it when it exits.',
  },
];

export interface RaiseInput {
  service: string;
  kind: ServiceAlertKind;
  severity: ServiceAlert['severity'];
  title: string;
  message: string;
  fix: string;
  lines: string[];
}

export class ServiceAlerts {
  private readonly alerts: ServiceAlert[] = [];
  private readonly recent = new Map<string, { times: number[]; lines: string[] }>();
  private seq = 0;

  constructor(
    private readonly router: Router,
    private readonly log: Logger,
  ) {
    router.register({
      'stack.alerts': ({ includeAcknowledged }) =>
        this.alerts
          .filter((a) => includeAcknowledged || !a.acknowledged)
          .slice()
          .reverse(),
      'stack.acknowledgeAlerts': ({ ids }) => {
        let acknowledged = 0;
        for (const alert of this.alerts)
          if (ids.includes(alert.id) && !alert.acknowledged) {
            alert.acknowledged = true;
            acknowledged++;
            this.router.events.emit('service.alert', { ...alert });
          }
        return { acknowledged };
      },
    });
  }

  /** Watches the services' and the worker's log lines for the bursts that BURST_RULES name. */
  watch(logs: LogBus): () => void {
    return logs.addSink((line) => {
      if (!(line.source in SERVICES)) return;
      for (const rule of BURST_RULES)
        if (rule.pattern.test(line.message)) this.count(rule, line.source, line.message);
    });
  }

  private count(rule: BurstRule, service: string, text: string): void {
    const key = `${service}:${rule.kind}`;
    const now = Date.now();
    const seen = this.recent.get(key) ?? { times: [], lines: [] };
    seen.times = [...seen.times.filter((t) => now - t < rule.windowMs), now];
    seen.lines = [...seen.lines, text].slice(-KEPT_LINES);
    this.recent.set(key, seen);
    if (seen.times.length < rule.threshold) return;
    const label = SERVICES[service] ?? service;
    this.raise({
      service,
      kind: rule.kind,
      severity: rule.severity,
      title: rule.title,
      message: rule.message(label, seen.times.length),
      fix: rule.fix(label),
      lines: seen.lines,
    });
    seen.times = [];
    seen.lines = [];
  }

  /** A new alert, or one more occurrence of the same open one (the lines and count updated). */
  raise(input: RaiseInput): ServiceAlert {
    const now = new Date().toISOString();
    const open = this.alerts.find(
      (a) => !a.acknowledged && a.service === input.service && a.kind === input.kind,
    );
    let alert: ServiceAlert;
    if (open) {
      open.count++;
      open.lastAt = now;
      open.message = input.message;
      open.fix = input.fix;
      open.lines = [...open.lines, ...input.lines].slice(-KEPT_LINES);
      alert = open;
    } else {
      alert = {
        ...input,
        lines: input.lines.slice(-KEPT_LINES),
        id: `${input.service}:${input.kind}:${++this.seq}`,
        count: 1,
        firstAt: now,
        lastAt: now,
        acknowledged: false,
      };
      this.alerts.push(alert);
      if (this.alerts.length > KEPT_ALERTS) this.alerts.splice(0, this.alerts.length - KEPT_ALERTS);
      this.log.warn(
        `alert: ${input.title.toLowerCase()} on ${SERVICES[input.service] ?? input.service}: ${input.message}`,
      );
    }
    this.router.events.emit('service.alert', { ...alert, lines: [...alert.lines] });
    return alert;
  }

  open(service: string): ServiceAlert[] {
    return this.alerts.filter((a) => a.service === service && !a.acknowledged);
  }
}
