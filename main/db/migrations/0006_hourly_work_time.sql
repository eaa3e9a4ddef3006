-- Up Migration
-- The Metrics trend over the last day or two, hour by hour: a third histogram of each completed phase's work
-- time (active_ms, or its whole duration when recorded before work time was kept), keyed by the hour it finished.
-- The dashboard reads it for short periods and the daily work-time histogram for longer ones.
CREATE TABLE inspection_phase_active_hourly (
  phase          text NOT NULL,
  version        integer NOT NULL,
  hour           timestamptz NOT NULL,
  bucket         smallint NOT NULL,
  count          bigint NOT NULL,
  sum_active_ms  bigint NOT NULL,
  PRIMARY KEY (phase, version, hour, bucket)
);
CREATE INDEX inspection_phase_active_hourly_hour ON inspection_phase_active_hourly (hour);

INSERT INTO inspection_phase_active_hourly (phase, version, hour, bucket, count, sum_active_ms)
SELECT p.phase, coalesce(e.version, 1), date_trunc('hour', p.finished_at),
       inspection_bucket(coalesce(p.active_ms, p.duration_ms)), count(*), sum(coalesce(p.active_ms, p.duration_ms))
  FROM workflow_phases p
  LEFT JOIN workflow_executions e ON e.workflow_id = p.workflow_id AND e.run_id = p.run_id
 WHERE p.status = 'completed' AND p.duration_ms IS NOT NULL AND p.finished_at IS NOT NULL
 GROUP BY 1, 2, 3, 4;

-- One pass folds the phases that have just completed into both work-time histograms, by day and by hour: the
-- daily histogram's two triggers now call it, so a phase update still fires one work-time trigger, not two.
-- `ids`: rows of workflow_phases the statement changed; those completed with a duration are counted.
CREATE FUNCTION inspection_fold_work_time(ids bigint[]) RETURNS void LANGUAGE sql AS $$
  WITH done AS (
    SELECT p.phase, coalesce(e.version, 1) AS version, p.finished_at,
           coalesce(p.active_ms, p.duration_ms) AS active_ms, coalesce(p.waiting_ms, 0) AS waiting_ms
      FROM workflow_phases p
      LEFT JOIN workflow_executions e ON e.workflow_id = p.workflow_id AND e.run_id = p.run_id
     WHERE p.id = ANY(ids) AND p.status = 'completed' AND p.duration_ms IS NOT NULL AND p.finished_at IS NOT NULL),
  daily AS (
    INSERT INTO inspection_phase_active_histogram AS h (phase, version, day, bucket, count, sum_active_ms, sum_waiting_ms)
    SELECT phase, version, (finished_at AT TIME ZONE 'UTC')::date, inspection_bucket(active_ms), count(*),
           sum(active_ms), sum(waiting_ms)
      FROM done GROUP BY 1, 2, 3, 4
    ON CONFLICT (phase, version, day, bucket) DO UPDATE
      SET count = h.count + EXCLUDED.count, sum_active_ms = h.sum_active_ms + EXCLUDED.sum_active_ms,
          sum_waiting_ms = h.sum_waiting_ms + EXCLUDED.sum_waiting_ms)
  INSERT INTO inspection_phase_active_hourly AS h (phase, version, hour, bucket, count, sum_active_ms)
  SELECT phase, version, date_trunc('hour', finished_at), inspection_bucket(active_ms), count(*), sum(active_ms)
    FROM done GROUP BY 1, 2, 3, 4
  ON CONFLICT (phase, version, hour, bucket) DO UPDATE
    SET count = h.count + EXCLUDED.count, sum_active_ms = h.sum_active_ms + EXCLUDED.sum_active_ms;
$$;

CREATE OR REPLACE FUNCTION inspection_fold_active_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM inspection_fold_work_time(ARRAY(SELECT n.id FROM new_rows n));
  RETURN NULL;
END $$;

-- A row counts once: when it becomes completed with a duration.
CREATE OR REPLACE FUNCTION inspection_fold_active_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM inspection_fold_work_time(ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE o.status IS DISTINCT FROM 'completed' OR o.duration_ms IS NULL));
  RETURN NULL;
END $$;
