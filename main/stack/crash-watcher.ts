// While the stack runs: a service that goes down by itself is raised as an alert with its last lines and started
// again by the restart policy; one that runs but stops answering on its port is raised too.
import net from 'node:net';
import type { ServiceStatus, StackStatus } from '../api';
import type { LogBus, Logger } from '../logs';
import type { ServiceAlerts } from './service-alerts';

type ServiceId = ServiceStatus['id'];

export const RESTART_POLICY = {
  maxRestarts: 5,
  windowMs: 10 * 60_000,
  delaysMs: [1_000, 5_000, 15_000, 30_000, 60_000],
};
export const RESTART_POLICY_TEXT = 'on failure, up to 5 restarts in 10 min (after 1, 5, 15, 30, 60 s)';
const PROBE_FAILURES = 3;

export interface CrashWatcherDeps {
  alerts: ServiceAlerts;
  log: Logger;
  logs: LogBus;
  refresh(): Promise<ServiceStatus[]>;
  isPaused(id: ServiceId): boolean;
  isRunning(): boolean;
  markFailed(id: ServiceId): void;
  startService(id: ServiceId): Promise<void>;
}

// PostgreSQL logs "incomplete startup packet" for a connection closed without a word, but nothing for one closed
// after its answer to an SSL request: the probe asks that, so it does not fill the log every few seconds.
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/** Whether something answers on the port (for PostgreSQL: answers an SSL request). */
export function answers(port: number, postgres: boolean, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => {
      if (!postgres) return done(true);
      socket.once('data', () => done(true));
      socket.write(SSL_REQUEST);
    });
  });
}

export class CrashWatcher {
  private timer: NodeJS.Timeout | undefined;
  private running = new Set<ServiceId>();
  private readonly restarts = new Map<ServiceId, number[]>();
  private readonly pending = new Map<ServiceId, NodeJS.Timeout>();
  private readonly probeFailures = new Map<ServiceId, number>();
  private ticking = false;

  constructor(private readonly deps: CrashWatcherDeps) {}

  start(intervalMs = 2_000): void {
    this.stop();
    this.running = new Set();
    void this.tick();
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    this.probeFailures.clear();
  }

  /** Each service's restart count in the policy's window and the policy, for its card. */
  decorate(services: ServiceStatus[], provider: StackStatus['provider']): ServiceStatus[] {
    if (provider === 'attached') return services;
    return services.map((s) =>
      s.state === 'disabled'
        ? s
        : { ...s, restarts: this.recentRestarts(s.id).length, restartPolicy: RESTART_POLICY_TEXT },
    );
  }

  private recentRestarts(id: ServiceId): number[] {
    const now = Date.now();
    return (this.restarts.get(id) ?? []).filter((t) => now - t < RESTART_POLICY.windowMs);
  }

  private async tick(): Promise<void> {
    if (this.ticking || !this.deps.isRunning()) return;
    this.ticking = true;
    try {
      const services = await this.deps.refresh();
      for (const s of services) {
        if (
          this.running.has(s.id) &&
          s.state !== 'running' &&
          !this.deps.isPaused(s.id) &&
          !this.pending.has(s.id)
        )
          this.crashed(s);
        if (s.state === 'running' && s.port && !this.deps.isPaused(s.id)) await this.probe(s);
      }
      this.running = new Set(services.filter((s) => s.state === 'running').map((s) => s.id));
    } catch (err) {
      this.deps.log.warn(`crash watcher: ${(err as Error).message}`);
    } finally {
      this.ticking = false;
    }
  }

  private lastLines(id: ServiceId): string[] {
    return this.deps.logs.recent({ source: id, limit: 12 }).map((l) => l.message);
  }

  private crashed(s: ServiceStatus): void {
    const times = this.recentRestarts(s.id);
    const lines = this.lastLines(s.id);
    const why = s.message ? ` Its last line: ${s.message}` : '';
    this.deps.markFailed(s.id);
    this.deps.log.error(`${s.label} stopped unexpectedly.${why}`);
    if (times.length >= RESTART_POLICY.maxRestarts) {
      this.deps.alerts.raise({
        service: s.id,
        kind: 'exited',
        severity: 'critical',
        title: 'Exited and not restarted',
        message: `${s.label} exited again after ${times.length} restarts in 10 minutes; the console no longer restarts it.${why}`,
        fix: `Read the lines for the cause and fix it, then press Restart on its card (or run ops-console stack restart ${s.id}).`,
        lines,
      });
      return;
    }
    const delay = RESTART_POLICY.delaysMs[times.length] ?? 60_000;
    this.deps.alerts.raise({
      service: s.id,
      kind: 'exited',
      severity: 'critical',
      title: 'Exited unexpectedly',
      message: `${s.label} exited.${why} Restarting it in ${delay / 1000} s (restart ${times.length + 1} of ${RESTART_POLICY.maxRestarts} in 10 minutes).`,
      fix: 'The console restarts it by itself. If it keeps exiting, read the lines for the cause (a full disk, a port taken, a killed process) and fix it.',
      lines,
    });
    const timer = setTimeout(() => {
      this.restarts.set(s.id, [...this.recentRestarts(s.id), Date.now()]);
      this.deps
        .startService(s.id)
        .then(() => {
          const count = this.recentRestarts(s.id).length;
          this.deps.log.info(`${s.label} restarted by the crash watcher (${count} in 10 minutes)`);
          this.deps.alerts.raise({
            service: s.id,
            kind: 'restarted',
            severity: 'warning',
            title: 'Restarted after a crash',
            message: `${s.label} was restarted after it exited: ${count} restart${count === 1 ? '' : 's'} in the last 10 minutes.`,
            fix: 'Nothing to do if it stays up. If it is restarted again and again, read its log for the cause.',
            lines: this.lastLines(s.id),
          });
        })
        .catch((err: Error) =>
          this.deps.alerts.raise({
            service: s.id,
            kind: 'exited',
            severity: 'critical',
            title: 'Did not start again',
            message: `${s.label} exited and did not start again: ${err.message}`,
            fix: 'Read the lines for the cause and fix it, then press Restart on its card.',
            lines: this.lastLines(s.id),
          }),
        )
        .finally(() => this.pending.delete(s.id));
    }, delay);
    timer.unref();
    this.pending.set(s.id, timer);
  }

  private async probe(s: ServiceStatus): Promise<void> {
    if (await answers(s.port!, s.id.endsWith('postgres'))) {
      this.probeFailures.delete(s.id);
      return;
    }
    const failures = (this.probeFailures.get(s.id) ?? 0) + 1;
    this.probeFailures.set(s.id, failures);
    if (failures !== PROBE_FAILURES) return;
    this.deps.alerts.raise({
      service: s.id,
      kind: 'probe-failed',
      severity: 'warning',
      title: 'Not answering',
      message: `${s.label} runs${s.pid ? ` (pid ${s.pid})` : ''} but did not answer on port ${s.port} ${PROBE_FAILURES} times in a row.`,
      fix: 'Press Restart on its card. If it keeps failing, read its log: it may be stuck, overloaded or out of memory.',
      lines: this.lastLines(s.id),
    });
  }
}
