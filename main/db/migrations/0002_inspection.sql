-- Up Migration
-- Indexes and incremental aggregates for the console's inspection views (Workflows list, Metrics dashboard).
-- Percentiles over a million rows do not fit a 200 ms budget, so completed phase durations are folded into a
-- log-scale histogram (about 5 % resolution) per phase, workflow version and day by statement-level triggers;
-- the dashboard reads the histogram, never the raw rows. Per-cycle retry and compensation counts are kept the
-- same way so the list can sort and page on them.

-- The list sorts as (column DESC NULLS LAST, id DESC), or that backwards: each sort walks one of these.
CREATE INDEX workflow_executions_list_started ON workflow_executions (started_at DESC NULLS LAST, id DESC);
CREATE INDEX workflow_executions_list_duration ON workflow_executions (duration_ms DESC NULLS LAST, id DESC);
CREATE INDEX workflow_executions_list_cycle ON workflow_executions (cycle_id DESC NULLS LAST, id DESC);
CREATE INDEX workflow_executions_status_started ON workflow_executions (status, started_at DESC NULLS LAST, id DESC);
CREATE INDEX workflow_executions_version_started ON workflow_executions (version, started_at DESC NULLS LAST, id DESC);
CREATE INDEX workflow_phases_running ON workflow_phases (phase) WHERE status IN ('running', 'failed');
CREATE INDEX workflow_compensation_log_phase_time ON workflow_compensation_log (phase, created_at DESC);
CREATE INDEX workflow_alerts_time ON workflow_alerts (created_at DESC);

-- Bucket b holds durations d with floor(ln(d + 1) * 20) = b; its middle is exp((b + 0.5) / 20) - 1.
CREATE FUNCTION inspection_bucket(ms double precision) RETURNS smallint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT floor(ln(greatest(ms, 0) + 1) * 20)::smallint $$;

CREATE TABLE inspection_phase_histogram (
  phase    text NOT NULL,
  version  integer NOT NULL,
  day      date NOT NULL,
  bucket   smallint NOT NULL,
  count    bigint NOT NULL,
  sum_ms   bigint NOT NULL,
  PRIMARY KEY (phase, version, day, bucket)
);
CREATE INDEX inspection_phase_histogram_day ON inspection_phase_histogram (day);

CREATE TABLE inspection_activity_daily (
  phase      text NOT NULL,
  version    integer NOT NULL,
  day        date NOT NULL,
  attempts   bigint NOT NULL DEFAULT 0,
  retries    bigint NOT NULL DEFAULT 0,
  failures   bigint NOT NULL DEFAULT 0,
  exhausted  bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (phase, version, day)
);

CREATE TABLE inspection_cycle_counters (
  workflow_id    text NOT NULL,
  run_id         text NOT NULL,
  retries        integer NOT NULL DEFAULT 0,
  compensations  integer NOT NULL DEFAULT 0,
  PRIMARY KEY (workflow_id, run_id)
);
CREATE INDEX inspection_cycle_counters_retries ON inspection_cycle_counters (retries);

CREATE FUNCTION inspection_fold_phases_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO inspection_phase_histogram AS h (phase, version, day, bucket, count, sum_ms)
  SELECT n.phase, coalesce(e.version, 1), (n.finished_at AT TIME ZONE 'UTC')::date, inspection_bucket(n.duration_ms),
         count(*), sum(n.duration_ms)
    FROM new_rows n
    LEFT JOIN workflow_executions e ON e.workflow_id = n.workflow_id AND e.run_id = n.run_id
   WHERE n.status = 'completed' AND n.duration_ms IS NOT NULL AND n.finished_at IS NOT NULL
   GROUP BY 1, 2, 3, 4
  ON CONFLICT (phase, version, day, bucket) DO UPDATE
    SET count = h.count + EXCLUDED.count, sum_ms = h.sum_ms + EXCLUDED.sum_ms;
  RETURN NULL;
END $$;

CREATE FUNCTION inspection_fold_phases_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO inspection_phase_histogram AS h (phase, version, day, bucket, count, sum_ms)
  SELECT n.phase, coalesce(e.version, 1), (n.finished_at AT TIME ZONE 'UTC')::date, inspection_bucket(n.duration_ms),
         count(*), sum(n.duration_ms)
    FROM new_rows n
    JOIN old_rows o ON o.id = n.id
    LEFT JOIN workflow_executions e ON e.workflow_id = n.workflow_id AND e.run_id = n.run_id
   WHERE n.status = 'completed' AND n.duration_ms IS NOT NULL AND n.finished_at IS NOT NULL
     AND (o.status IS DISTINCT FROM 'completed' OR o.duration_ms IS NULL)
   GROUP BY 1, 2, 3, 4
  ON CONFLICT (phase, version, day, bucket) DO UPDATE
    SET count = h.count + EXCLUDED.count, sum_ms = h.sum_ms + EXCLUDED.sum_ms;
  RETURN NULL;
END $$;

CREATE TRIGGER inspection_phases_inserted AFTER INSERT ON workflow_phases
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION inspection_fold_phases_inserted();
CREATE TRIGGER inspection_phases_updated AFTER UPDATE ON workflow_phases
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION inspection_fold_phases_updated();

CREATE FUNCTION inspection_fold_attempts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO inspection_activity_daily AS d (phase, version, day, attempts, retries, failures)
  SELECT a.phase, coalesce(e.version, 1), (n.started_at AT TIME ZONE 'UTC')::date, count(*),
         count(*) FILTER (WHERE n.attempt > 1), count(*) FILTER (WHERE n.status <> 'completed')
    FROM new_rows n
    JOIN workflow_activities a
      ON a.workflow_id = n.workflow_id AND a.run_id = n.run_id AND a.activity_id = n.activity_id
    LEFT JOIN workflow_executions e ON e.workflow_id = n.workflow_id AND e.run_id = n.run_id
   GROUP BY 1, 2, 3
  ON CONFLICT (phase, version, day) DO UPDATE
    SET attempts = d.attempts + EXCLUDED.attempts, retries = d.retries + EXCLUDED.retries,
        failures = d.failures + EXCLUDED.failures;
  RETURN NULL;
END $$;

CREATE TRIGGER inspection_attempts_inserted AFTER INSERT ON workflow_activity_histories
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION inspection_fold_attempts();

CREATE FUNCTION inspection_fold_retries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO inspection_cycle_counters AS c (workflow_id, run_id, retries)
  SELECT workflow_id, run_id, count(*) FROM new_rows GROUP BY 1, 2
  ON CONFLICT (workflow_id, run_id) DO UPDATE SET retries = c.retries + EXCLUDED.retries;
  INSERT INTO inspection_activity_daily AS d (phase, version, day, exhausted)
  SELECT a.phase, coalesce(e.version, 1), (n.failed_at AT TIME ZONE 'UTC')::date, count(*)
    FROM new_rows n
    JOIN workflow_activities a
      ON a.workflow_id = n.workflow_id AND a.run_id = n.run_id AND a.activity_id = n.activity_id
    LEFT JOIN workflow_executions e ON e.workflow_id = n.workflow_id AND e.run_id = n.run_id
   WHERE n.exhausted
   GROUP BY 1, 2, 3
  ON CONFLICT (phase, version, day) DO UPDATE SET exhausted = d.exhausted + EXCLUDED.exhausted;
  RETURN NULL;
END $$;

CREATE TRIGGER inspection_retries_inserted AFTER INSERT ON workflow_activity_retry_log
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION inspection_fold_retries();

CREATE FUNCTION inspection_fold_compensations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO inspection_cycle_counters AS c (workflow_id, run_id, compensations)
  SELECT workflow_id, run_id, count(*) FROM new_rows GROUP BY 1, 2
  ON CONFLICT (workflow_id, run_id) DO UPDATE SET compensations = c.compensations + EXCLUDED.compensations;
  RETURN NULL;
END $$;

CREATE TRIGGER inspection_compensations_inserted AFTER INSERT ON workflow_compensation_log
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION inspection_fold_compensations();

-- Fold what is already there.
INSERT INTO inspection_phase_histogram (phase, version, day, bucket, count, sum_ms)
SELECT p.phase, coalesce(e.version, 1), (p.finished_at AT TIME ZONE 'UTC')::date, inspection_bucket(p.duration_ms),
       count(*), sum(p.duration_ms)
  FROM workflow_phases p
  LEFT JOIN workflow_executions e ON e.workflow_id = p.workflow_id AND e.run_id = p.run_id
 WHERE p.status IN ('completed', 'compensated') AND p.duration_ms IS NOT NULL AND p.finished_at IS NOT NULL
 GROUP BY 1, 2, 3, 4;

INSERT INTO inspection_activity_daily (phase, version, day, attempts, retries, failures)
SELECT a.phase, coalesce(e.version, 1), (n.started_at AT TIME ZONE 'UTC')::date, count(*),
       count(*) FILTER (WHERE n.attempt > 1), count(*) FILTER (WHERE n.status <> 'completed')
  FROM workflow_activity_histories n
  JOIN workflow_activities a ON a.workflow_id = n.workflow_id AND a.run_id = n.run_id AND a.activity_id = n.activity_id
  LEFT JOIN workflow_executions e ON e.workflow_id = n.workflow_id AND e.run_id = n.run_id
 GROUP BY 1, 2, 3;

INSERT INTO inspection_cycle_counters (workflow_id, run_id, retries, compensations)
SELECT workflow_id, run_id, sum(r), sum(c) FROM (
  SELECT workflow_id, run_id, 1 AS r, 0 AS c FROM workflow_activity_retry_log
  UNION ALL
  SELECT workflow_id, run_id, 0, 1 FROM workflow_compensation_log
) x GROUP BY 1, 2;
