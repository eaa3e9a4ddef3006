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

CREATE FUNCTION inspection_fold_hourly_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO inspection_phase_active_hourly AS h (phase, version, hour, bucket, count, sum_active_ms)
  SELECT n.phase, coalesce(e.version, 1), date_trunc('hour', n.finished_at),
         inspection_bucket(coalesce(n.active_ms, n.duration_ms)), count(*), sum(coalesce(n.active_ms, n.duration_ms))
    FROM new_rows n
    LEFT JOIN workflow_executions e ON e.workflow_id = n.workflow_id AND e.run_id = n.run_id
   WHERE n.status = 'completed' AND n.duration_ms IS NOT NULL AND n.finished_at IS NOT NULL
   GROUP BY 1, 2, 3, 4
  ON CONFLICT (phase, version, hour, bucket) DO UPDATE
    SET count = h.count + EXCLUDED.count, sum_active_ms = h.sum_active_ms + EXCLUDED.sum_active_ms;
  RETURN NULL;
END $$;

CREATE FUNCTION inspection_fold_hourly_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO inspection_phase_active_hourly AS h (phase, version, hour, bucket, count, sum_active_ms)
  SELECT n.phase, coalesce(e.version, 1), date_trunc('hour', n.finished_at),
         inspection_bucket(coalesce(n.active_ms, n.duration_ms)), count(*), sum(coalesce(n.active_ms, n.duration_ms))
    FROM new_rows n
    JOIN old_rows o ON o.id = n.id
    LEFT JOIN workflow_executions e ON e.workflow_id = n.workflow_id AND e.run_id = n.run_id
   WHERE n.status = 'completed' AND n.duration_ms IS NOT NULL AND n.finished_at IS NOT NULL
     AND (o.status IS DISTINCT FROM 'completed' OR o.duration_ms IS NULL)
   GROUP BY 1, 2, 3, 4
  ON CONFLICT (phase, version, hour, bucket) DO UPDATE
    SET count = h.count + EXCLUDED.count, sum_active_ms = h.sum_active_ms + EXCLUDED.sum_active_ms;
  RETURN NULL;
END $$;

CREATE TRIGGER inspection_hourly_inserted AFTER INSERT ON workflow_phases
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION inspection_fold_hourly_inserted();
CREATE TRIGGER inspection_hourly_updated AFTER UPDATE ON workflow_phases
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION inspection_fold_hourly_updated();
