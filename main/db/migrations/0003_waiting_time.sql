-- Up Migration
-- A phase's time in two parts: active_ms (its activities' work, retries and backoff included) and waiting_ms
-- (waiting for a person at a human step). The slow-phase alert and the Metrics bottlenecks use active time; the
-- histogram keeps both sums beside its buckets so the dashboard can show waiting next to work.
ALTER TABLE workflow_phases ADD COLUMN active_ms integer, ADD COLUMN waiting_ms integer;
ALTER TABLE inspection_phase_histogram
  ADD COLUMN sum_active_ms bigint NOT NULL DEFAULT 0,
  ADD COLUMN sum_waiting_ms bigint NOT NULL DEFAULT 0;

-- Phases finished before this migration: their human steps' time is their waiting time.
UPDATE workflow_phases p SET
  waiting_ms = w.ms,
  active_ms = greatest(p.duration_ms - w.ms, 0)
  FROM (SELECT p2.id, coalesce((SELECT sum(coalesce(s.duration_ms, 0)) FROM workflow_steps s
          WHERE s.workflow_id = p2.workflow_id AND s.run_id = p2.run_id AND s.phase = p2.phase AND s.kind = 'human'), 0)::int AS ms
          FROM workflow_phases p2 WHERE p2.duration_ms IS NOT NULL) w
 WHERE w.id = p.id;

UPDATE inspection_phase_histogram SET sum_active_ms = sum_ms;

CREATE OR REPLACE FUNCTION inspection_fold_phases_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO inspection_phase_histogram AS h (phase, version, day, bucket, count, sum_ms, sum_active_ms, sum_waiting_ms)
  SELECT n.phase, coalesce(e.version, 1), (n.finished_at AT TIME ZONE 'UTC')::date, inspection_bucket(n.duration_ms),
         count(*), sum(n.duration_ms), sum(coalesce(n.active_ms, n.duration_ms)), sum(coalesce(n.waiting_ms, 0))
    FROM new_rows n
    LEFT JOIN workflow_executions e ON e.workflow_id = n.workflow_id AND e.run_id = n.run_id
   WHERE n.status = 'completed' AND n.duration_ms IS NOT NULL AND n.finished_at IS NOT NULL
   GROUP BY 1, 2, 3, 4
  ON CONFLICT (phase, version, day, bucket) DO UPDATE
    SET count = h.count + EXCLUDED.count, sum_ms = h.sum_ms + EXCLUDED.sum_ms,
        sum_active_ms = h.sum_active_ms + EXCLUDED.sum_active_ms,
        sum_waiting_ms = h.sum_waiting_ms + EXCLUDED.sum_waiting_ms;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION inspection_fold_phases_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO inspection_phase_histogram AS h (phase, version, day, bucket, count, sum_ms, sum_active_ms, sum_waiting_ms)
  SELECT n.phase, coalesce(e.version, 1), (n.finished_at AT TIME ZONE 'UTC')::date, inspection_bucket(n.duration_ms),
         count(*), sum(n.duration_ms), sum(coalesce(n.active_ms, n.duration_ms)), sum(coalesce(n.waiting_ms, 0))
    FROM new_rows n
    JOIN old_rows o ON o.id = n.id
    LEFT JOIN workflow_executions e ON e.workflow_id = n.workflow_id AND e.run_id = n.run_id
   WHERE n.status = 'completed' AND n.duration_ms IS NOT NULL AND n.finished_at IS NOT NULL
     AND (o.status IS DISTINCT FROM 'completed' OR o.duration_ms IS NULL)
   GROUP BY 1, 2, 3, 4
  ON CONFLICT (phase, version, day, bucket) DO UPDATE
    SET count = h.count + EXCLUDED.count, sum_ms = h.sum_ms + EXCLUDED.sum_ms,
        sum_active_ms = h.sum_active_ms + EXCLUDED.sum_active_ms,
        sum_waiting_ms = h.sum_waiting_ms + EXCLUDED.sum_waiting_ms;
  RETURN NULL;
END $$;
