// "Waiting for a person longer than N": one reminder per human step that has waited too long, naming who is
// awaited (the data owners of the open RFIs; the Test Manager for the scope; the testers for the results).
// Time spent waiting is not work, so it never raises the slow-phase warning: this reminder is its only signal.
import type pg from 'pg';
import { notify } from '../../shared/notify';

const WHO: Record<string, string> = {
  scope_approval: 'the Test Manager to approve the scope',
  test_results: 'the testers to record the results',
};

/** Writes a reminder for each step waiting longer than `afterMs` (once per step); returns how many it wrote. */
export async function remindWaiting(db: pg.Pool, afterMs: number): Promise<number> {
  if (afterMs <= 0) return 0;
  const { rows } = await db.query<{
    workflow_id: string;
    run_id: string;
    cycle_id: number | null;
    phase: string;
    step: string;
    waited_s: number;
    owners: string | null;
  }>(
    `SELECT s.workflow_id, s.run_id, e.cycle_id, s.phase, s.step,
            extract(epoch FROM now() - s.started_at)::int AS waited_s,
            (SELECT string_agg(o.name || ' (report ' || f.report_id || ')', ', ' ORDER BY f.report_id)
               FROM rfis f JOIN data_owners o ON o.id = f.owner_id
              WHERE f.cycle_id = e.cycle_id AND f.status <> 'responded') AS owners
       FROM workflow_steps s
       JOIN workflow_executions e ON e.workflow_id = s.workflow_id AND e.run_id = s.run_id AND e.status = 'running'
      WHERE s.status = 'waiting' AND s.started_at < now() - make_interval(secs => $1::double precision / 1000)
        AND NOT EXISTS (SELECT 1 FROM workflow_alerts a
                         WHERE a.dedupe_key = s.workflow_id || ':' || s.run_id || ':' || s.step || ':waiting')`,
    [afterMs],
  );
  for (const r of rows) {
    const who =
      r.step === 'rfi_responses'
        ? `the data owners to answer their RFIs: ${r.owners ?? 'every RFI of the cycle'}`
        : (WHO[r.step] ?? 'a person');
    const minutes = Math.max(1, Math.round(r.waited_s / 60));
    await db.query(
      `INSERT INTO workflow_alerts (dedupe_key, workflow_id, run_id, phase, kind, severity, message)
       VALUES ($1, $2, $3, $4, 'waiting_for_person', 'info', $5) ON CONFLICT (dedupe_key) DO NOTHING`,
      [
        `${r.workflow_id}:${r.run_id}:${r.step}:waiting`,
        r.workflow_id,
        r.run_id,
        r.phase,
        `Cycle ${r.cycle_id ?? r.workflow_id} has waited ${minutes} min for ${who}`,
      ],
    );
    await notify(db, r.workflow_id, 'workflow_alerts', r.phase, 'alert:waiting_for_person');
  }
  return rows.length;
}
