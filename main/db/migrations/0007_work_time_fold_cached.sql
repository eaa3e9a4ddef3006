-- Up Migration
-- The work-time fold runs after every statement that changes workflow_phases, about twenty times a cycle, and
-- almost always finds no phase that has just completed. As a SQL function it was planned again on every call
-- (a third of a millisecond of the server's CPU each time, the largest single cost of tracking a cycle). As a
-- PL/pgSQL function its plans are kept for the session, and a call with no completed phase returns at once.
CREATE OR REPLACE FUNCTION inspection_fold_work_time(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(ids) = 0 THEN
    RETURN;
  END IF;
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
END $$;
