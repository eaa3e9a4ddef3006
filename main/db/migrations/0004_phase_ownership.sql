-- Up Migration
-- Each phase's products are its own. Rows one phase produced no longer vanish when an earlier phase's rows are
-- deleted: a delete that would orphan another phase's row is refused (RESTRICT), so a compensation removes only
-- what its own phase made and keeps (and counts) the parents that kept rows still need.
-- The compensation ledger gains a real outcome per phase (done, failed, resolved), the error of a failed step,
-- and the operator's resolution. Forward-only.

ALTER TABLE scoping_decisions DROP CONSTRAINT scoping_decisions_attribute_id_fkey,
  ADD CONSTRAINT scoping_decisions_attribute_id_fkey
  FOREIGN KEY (attribute_id) REFERENCES test_attributes (id) ON DELETE RESTRICT;

ALTER TABLE test_executions DROP CONSTRAINT test_executions_sample_id_fkey,
  ADD CONSTRAINT test_executions_sample_id_fkey
  FOREIGN KEY (sample_id) REFERENCES samples (id) ON DELETE RESTRICT;

ALTER TABLE test_executions DROP CONSTRAINT test_executions_attribute_id_fkey,
  ADD CONSTRAINT test_executions_attribute_id_fkey
  FOREIGN KEY (attribute_id) REFERENCES test_attributes (id) ON DELETE RESTRICT;

ALTER TABLE observations DROP CONSTRAINT observations_execution_id_fkey,
  ADD CONSTRAINT observations_execution_id_fkey
  FOREIGN KEY (execution_id) REFERENCES test_executions (id) ON DELETE RESTRICT;

-- One ledger entry per phase and run: a retried compensation updates its entry instead of adding one.
DELETE FROM workflow_compensation_log l USING workflow_compensation_log newer
 WHERE l.workflow_id = newer.workflow_id AND l.run_id = newer.run_id AND l.phase = newer.phase AND l.id < newer.id;
CREATE UNIQUE INDEX workflow_compensation_log_phase_once ON workflow_compensation_log (workflow_id, run_id, phase);

ALTER TABLE workflow_compensation_log
  ADD COLUMN error text,
  ADD COLUMN attempts integer NOT NULL DEFAULT 1,
  ADD COLUMN resolved_by text,
  ADD COLUMN resolution_note text,
  ADD COLUMN resolved_at timestamptz,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- Earlier entries carried per-strategy counts; they take the ledger's one shape: rows removed and rows kept per
-- table. (Before this migration a phase's rollback also removed later phases' rows through the cascades; those
-- entries keep the counts they logged, marked as such.)
UPDATE workflow_compensation_log SET detail = CASE phase
  WHEN 'planning' THEN jsonb_build_object('removed', jsonb_build_object('test_attributes', coalesce((detail->>'attributes')::int, 0)), 'kept', '{}'::jsonb)
  WHEN 'sample_selection' THEN jsonb_build_object('removed', jsonb_build_object('samples', coalesce((detail->>'samples')::int, 0)), 'kept', '{}'::jsonb)
  WHEN 'data_owner_identification' THEN jsonb_build_object(
    'removed', jsonb_build_object('data_owner_assignments', coalesce((detail->>'removed')::int, 0)),
    'kept', jsonb_build_object('data_owner_assignments', coalesce((detail->>'kept')::int, 0)))
  WHEN 'test_execution' THEN jsonb_build_object(
    'removed', jsonb_build_object('test_executions', coalesce((detail->>'removed')::int, 0)),
    'kept', jsonb_build_object('test_executions', coalesce((detail->>'kept')::int, 0)))
  WHEN 'finalize_test_report' THEN jsonb_build_object('removed', jsonb_build_object('final_reports', coalesce((detail->>'reports')::int, 0)), 'kept', '{}'::jsonb)
  ELSE jsonb_build_object('removed', '{}'::jsonb, 'kept', '{}'::jsonb) || (detail - 'removed' - 'kept')
  END || jsonb_build_object('countedBeforeOwnership', true)
 WHERE NOT (detail ? 'countedBeforeOwnership') AND jsonb_typeof(detail->'removed') IS DISTINCT FROM 'object';

ALTER TABLE workflow_compensation_log
  ADD CONSTRAINT workflow_compensation_log_outcome CHECK (outcome IN ('done', 'failed', 'resolved'));

CREATE INDEX workflow_compensation_log_failed ON workflow_compensation_log (created_at DESC) WHERE outcome = 'failed';
