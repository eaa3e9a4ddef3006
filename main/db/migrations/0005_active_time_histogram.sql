-- Up Migration
-- The phase duration percentiles are of work time: a second histogram, bucketed by each completed phase's
-- active_ms (its activities' work, retries and backoff included), with the waiting-for-a-person sum beside it.
-- A phase recorded before active_ms existed counts with its whole duration. The dashboard reads this table,
-- never the raw rows; the duration histogram stays for the trends and the running phases' ETA.
CREATE TABLE inspection_phase_active_histogram (
  phase           text NOT NULL,
  version         integer NOT NULL,
  day             date NOT NULL,
  bucket          smallint NOT NULL,
  count           bigint NOT NULL,
  sum_active_ms   bigint NOT NULL,
  sum_waiting_ms  bigint NOT NULL,
  PRIMARY KEY (phase, version, day, bucket)
);
CREATE INDEX inspection_phase_active_histogram_day ON inspection_phase_active_histogram (day);

INSERT INTO inspection_phase_active_histogram (phase, version, day, bucket, count, sum_active_ms, sum_waiting_ms)
SELECT p.phase, coalesce(e.version, 1), (p.finished_at AT TIME ZONE 'UTC')::date,
       inspection_bucket(coalesce(p.active_ms, p.duration_ms)), count(*),
       sum(coalesce(p.active_ms, p.duration_ms)), sum(coalesce(p.waiting_ms, 0))
  FROM workflow_phases p
  LEFT JOIN workflow_executions e ON e.workflow_id = p.workflow_id AND e.run_id = p.run_id
 WHERE p.status = 'completed' AND p.duration_ms IS NOT NULL AND p.finished_at IS NOT NULL
 GROUP BY 1, 2, 3, 4;

CREATE FUNCTION inspection_fold_active_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO inspection_phase_active_histogram AS h (phase, version, day, bucket, count, sum_active_ms, sum_waiting_ms)
  SELECT n.phase, coalesce(e.version, 1), (n.finished_at AT TIME ZONE 'UTC')::date,
         inspection_bucket(coalesce(n.active_ms, n.duration_ms)), count(*),
         sum(coalesce(n.active_ms, n.duration_ms)), sum(coalesce(n.waiting_ms, 0))
    FROM new_rows n
    LEFT JOIN workflow_executions e ON e.workflow_id = n.workflow_id AND e.run_id = n.run_id
   WHERE n.status = 'completed' AND n.duration_ms IS NOT NULL AND n.finished_at IS NOT NULL
   GROUP BY 1, 2, 3, 4
  ON CONFLICT (phase, version, day, bucket) DO UPDATE
    SET count = h.count + EXCLUDED.count, sum_active_ms = h.sum_active_ms + EXCLUDED.sum_active_ms,
        sum_waiting_ms = h.sum_waiting_ms + EXCLUDED.sum_waiting_ms;
  RETURN NULL;
END $$;

CREATE FUNCTION inspection_fold_active_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO inspection_phase_active_histogram AS h (phase, version, day, bucket, count, sum_active_ms, sum_waiting_ms)
  SELECT n.phase, coalesce(e.version, 1), (n.finished_at AT TIME ZONE 'UTC')::date,
         inspection_bucket(coalesce(n.active_ms, n.duration_ms)), count(*),
         sum(coalesce(n.active_ms, n.duration_ms)), sum(coalesce(n.waiting_ms, 0))
    FROM new_rows n
    JOIN old_rows o ON o.id = n.id
    LEFT JOIN workflow_executions e ON e.workflow_id = n.workflow_id AND e.run_id = n.run_id
   WHERE n.status = 'completed' AND n.duration_ms IS NOT NULL AND n.finished_at IS NOT NULL
     AND (o.status IS DISTINCT FROM 'completed' OR o.duration_ms IS NULL)
   GROUP BY 1, 2, 3, 4
  ON CONFLICT (phase, version, day, bucket) DO UPDATE
    SET count = h.count + EXCLUDED.count, sum_active_ms = h.sum_active_ms + EXCLUDED.sum_active_ms,
        sum_waiting_ms = h.sum_waiting_ms + EXCLUDED.sum_waiting_ms;
  RETURN NULL;
END $$;

CREATE TRIGGER inspection_active_inserted AFTER INSERT ON workflow_phases
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION inspection_fold_active_inserted();
CREATE TRIGGER inspection_active_updated AFTER UPDATE ON workflow_phases
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION inspection_fold_active_updated();
