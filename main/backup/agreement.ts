// The app DB and Temporal agree: a validation check, and a look each time the stack comes up (a lost or older
// Temporal DB shows as cycles in flight it does not know).
import { toErrorShape } from '../api';
import type { ReconcileReport, ValidationCheck } from '../api';
import type { BackupEnv } from './env';
import { reconcile } from './reconcile';

/** Validation: the app DB and Temporal agree (a lost or older Temporal DB shows as cycles it does not know). */
export async function agreementChecks(env: BackupEnv): Promise<ValidationCheck[]> {
  const started = performance.now();
  let report: ReconcileReport;
  try {
    report = await reconcile(env.deps.stack.spec(), env.deps.cycles);
  } catch {
    return []; // a database or Temporal does not answer: their own checks say so
  }
  if (!report.temporalReachable) return [];
  const lost = report.items.filter((i) => i.problem === 'unknown-to-temporal');
  const others = report.items.length - lost.length;
  const detail = lost.length
    ? `Temporal does not know ${lost.length} cycle(s) the app DB shows in flight (${lost.map((i) => i.cycleId).join(', ')}): ` +
      'the Temporal DB was lost or restored from an older set, and their running workflows with it.' +
      (others ? ` ${others} other difference(s).` : '')
    : report.items.length
      ? report.summary
      : 'Every cycle in flight in the app DB runs in Temporal, and every workflow has tracking rows.';
  return [
    {
      id: 'integration.agreement',
      group: 'integration',
      label: 'App DB and Temporal agree',
      status: report.items.length ? 'degraded' : 'healthy',
      detail,
      fix: report.items.length
        ? 'Backups → Reconciliation lists each with its fix (a lost cycle restarts from the phase after its last completed one); or `ops-console backup reconcile`.'
        : undefined,
      durationMs: Math.round(performance.now() - started),
    },
  ];
}

/**
 * Each time the stack comes up, compare the app DB with Temporal: a lost Temporal DB shows as cycles in flight
 * that Temporal does not know. The log says so, and the Backups page offers to restart them.
 */
export function watchStackStarts(env: BackupEnv, busy: () => boolean): void {
  // One-shot CLI commands exit right after their work: a check still talking to Temporal then would be cut off.
  if (!env.ctx.longRunning) return;
  let wasRunning = false;
  env.ctx.router.events.subscribe((name, payload) => {
    if (name !== 'stack.status') return;
    const running = (payload as { state: string }).state === 'running';
    if (running && !wasRunning && !busy()) void checkAfterStart(env);
    wasRunning = running;
  });
}

async function checkAfterStart(env: BackupEnv): Promise<void> {
  try {
    const report = await reconcile(env.deps.stack.spec(), env.deps.cycles);
    env.ctx.router.events.emit('backup.reconcile', report);
    const lost = report.items.filter((i) => i.problem === 'unknown-to-temporal');
    if (lost.length)
      env.log.warn(
        `Temporal does not know ${lost.length} cycle(s) the app DB shows in flight (${lost.map((i) => i.cycleId).join(', ')}): ` +
          'the Temporal DB was lost or restored from an older set, and their running workflows with it. ' +
          'Backups → Reconciliation restarts each from the phase after its last completed one.',
      );
    else if (report.items.length) env.log.warn(report.summary + ' See Backups → Reconciliation.');
  } catch (err) {
    env.log.warn(`could not compare the app DB with Temporal after start: ${toErrorShape(err).message}`);
  }
}
