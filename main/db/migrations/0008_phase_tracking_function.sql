-- Up Migration
-- A phase's tracking write (its new state, and when it completes, its metrics and the slow-phase alert) as a
-- function: sent as one short call instead of a long statement the server parsed and planned each time, about
-- sixteen times a cycle. Its statements' plans are kept for the session.
-- States only move forward (pending 0, running 1, needs_attention 2, completed/failed/skipped and any other 3,
-- compensation_failed 4, compensated 5), except a phase waiting for the operator that is retried
-- (needs_attention -> running). Waiting for a person is the phase's human steps' time up to `at` (`waited`, read
-- only when the phase ends); the rest of the phase is work time. Returns whether the row moved (false when the
-- write was already there, as on a replay).
CREATE FUNCTION ops_track_phase(workflow text, run text, phase_id text, status_to text, failure_text text,
                                finished boolean, at timestamptz) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  moved boolean;
  -- The phase ends with this write: its finish time, duration, waiting and work time are set (once).
  ends constant boolean := finished AND status_to NOT IN ('running', 'compensated', 'needs_attention');
  waited integer := 0;
BEGIN
  IF ends THEN
    SELECT coalesce(sum(greatest(extract(epoch FROM least(coalesce(s.finished_at, at), at) - s.started_at) * 1000, 0)), 0)::int
      INTO waited
      FROM workflow_steps s
     WHERE s.workflow_id = workflow AND s.run_id = run AND s.phase = phase_id AND s.kind = 'human';
  END IF;
  -- Metrics and the alert only for a phase that completed here (the update returns no row on a replay).
  WITH done AS (
    UPDATE workflow_phases p SET
      status = status_to,
      failure = COALESCE(failure_text, p.failure),
      started_at = CASE WHEN status_to = 'running' THEN COALESCE(p.started_at, at) ELSE p.started_at END,
      finished_at = CASE WHEN status_to = 'running' THEN NULL WHEN ends THEN COALESCE(p.finished_at, at)
        ELSE p.finished_at END,
      duration_ms = CASE WHEN status_to = 'running' THEN NULL
        WHEN ends AND p.started_at IS NOT NULL
        THEN COALESCE(p.duration_ms, (extract(epoch FROM at - p.started_at) * 1000)::int) ELSE p.duration_ms END,
      waiting_ms = CASE WHEN status_to = 'running' THEN NULL
        WHEN ends AND p.started_at IS NOT NULL THEN COALESCE(p.waiting_ms, waited) ELSE p.waiting_ms END,
      active_ms = CASE WHEN status_to = 'running' THEN NULL
        WHEN ends AND p.started_at IS NOT NULL
        THEN COALESCE(p.active_ms, greatest((extract(epoch FROM at - p.started_at) * 1000)::int - waited, 0))
        ELSE p.active_ms END
    WHERE p.workflow_id = workflow AND p.run_id = run AND p.phase = phase_id
      AND (ops_phase_rank(p.status) < ops_phase_rank(status_to)
        OR (p.status = 'needs_attention' AND status_to = 'running'))
    RETURNING p.duration_ms, coalesce(p.active_ms, p.duration_ms) AS active_ms, coalesce(p.waiting_ms, 0) AS waiting_ms),
  metrics AS (
    INSERT INTO workflow_metrics (workflow_id, run_id, phase, metric, value, unit)
    SELECT workflow, run, phase_id, m.metric, m.value, 'ms'
      FROM done, LATERAL (VALUES ('duration_ms', done.duration_ms), ('active_ms', done.active_ms),
                                 ('waiting_ms', done.waiting_ms)) AS m(metric, value)
     WHERE status_to = 'completed' AND done.duration_ms IS NOT NULL
    ON CONFLICT DO NOTHING),
  -- Alert when the phase worked longer than its activities are expected to (their templates' sum). Time spent
  -- waiting for a person is not work: the waiting reminder covers it, naming who is awaited.
  alert AS (
    INSERT INTO workflow_alerts (dedupe_key, workflow_id, run_id, phase, kind, severity, message)
    SELECT workflow || ':' || run || ':' || phase_id || ':slow', workflow, run, phase_id, 'phase_over_expected', 'warning',
           format('%s worked %s s, expected at most %s s%s', phase_id, round(done.active_ms::numeric / 1000, 1),
                  round(sum(t.expected_duration_ms)::numeric / 1000, 1),
                  CASE WHEN done.waiting_ms > 0 THEN format(' (plus %s s waiting for a person)', round(done.waiting_ms::numeric / 1000, 1)) ELSE '' END)
      FROM done, workflow_activity_templates t
     WHERE status_to = 'completed' AND t.phase = phase_id AND done.duration_ms IS NOT NULL
     GROUP BY done.active_ms, done.waiting_ms
    HAVING done.active_ms::numeric > sum(t.expected_duration_ms)
    ON CONFLICT (dedupe_key) DO NOTHING)
  SELECT count(*) > 0 INTO moved FROM done;
  RETURN moved;
END $$;

-- A phase state's rank in the order states move in; a state not named here ranks with the ends.
CREATE FUNCTION ops_phase_rank(status text) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE status WHEN 'pending' THEN 0 WHEN 'running' THEN 1 WHEN 'needs_attention' THEN 2
                     WHEN 'compensation_failed' THEN 4 WHEN 'compensated' THEN 5 ELSE 3 END
$$;

