-- Up Migration
-- The app DB (synapse_dt): the business tables the 8 phases work on and the workflow_* tracking tables.
-- Forward-only: there is no down migration. Every tracking table has a natural unique key so a retried or
-- re-delivered activity never doubles a row.

CREATE TABLE data_owners (
  id          serial PRIMARY KEY,
  name        text NOT NULL,
  email       text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE reports (
  id               integer PRIMARY KEY,
  name             text NOT NULL,
  data_owner_id    integer REFERENCES data_owners (id),
  population_size  integer NOT NULL DEFAULT 100 CHECK (population_size >= 0),
  created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE test_cycles (
  id             integer PRIMARY KEY,
  name           text NOT NULL,
  status         text NOT NULL DEFAULT 'planned',
  current_phase  text,
  workflow_id    text,
  report_ids     integer[] NOT NULL DEFAULT '{}',
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE test_attributes (
  id           serial PRIMARY KEY,
  cycle_id     integer NOT NULL REFERENCES test_cycles (id),
  report_id    integer NOT NULL REFERENCES reports (id),
  code         text NOT NULL,
  name         text NOT NULL,
  description  text NOT NULL,
  generator    text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (cycle_id, report_id, code)
);

CREATE TABLE scoping_decisions (
  id            serial PRIMARY KEY,
  cycle_id      integer NOT NULL REFERENCES test_cycles (id),
  attribute_id  integer NOT NULL REFERENCES test_attributes (id) ON DELETE CASCADE,
  in_scope      boolean NOT NULL,
  rationale     text NOT NULL,
  approved_by   text,
  approved_at   timestamptz,
  UNIQUE (cycle_id, attribute_id)
);

CREATE TABLE samples (
  id          serial PRIMARY KEY,
  cycle_id    integer NOT NULL REFERENCES test_cycles (id),
  report_id   integer NOT NULL REFERENCES reports (id),
  sample_no   integer NOT NULL,
  record_ref  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (cycle_id, report_id, sample_no)
);

CREATE TABLE data_owner_assignments (
  id          serial PRIMARY KEY,
  cycle_id    integer NOT NULL REFERENCES test_cycles (id),
  report_id   integer NOT NULL REFERENCES reports (id),
  owner_id    integer NOT NULL REFERENCES data_owners (id),
  confirmed   boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (cycle_id, report_id)
);

CREATE TABLE rfis (
  id            serial PRIMARY KEY,
  cycle_id      integer NOT NULL REFERENCES test_cycles (id),
  report_id     integer NOT NULL REFERENCES reports (id),
  owner_id      integer NOT NULL REFERENCES data_owners (id),
  status        text NOT NULL DEFAULT 'sent',
  response      text,
  responded_at  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (cycle_id, report_id)
);

-- Messages leave through an outbox: written in the same transaction as the business change, delivered after.
CREATE TABLE message_outbox (
  id            serial PRIMARY KEY,
  dedupe_key    text NOT NULL UNIQUE,
  cycle_id      integer,
  kind          text NOT NULL,
  recipient     text NOT NULL,
  subject       text NOT NULL,
  body          text NOT NULL,
  status        text NOT NULL DEFAULT 'queued',
  attempts      integer NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now(),
  delivered_at  timestamptz
);

CREATE TABLE test_executions (
  id            serial PRIMARY KEY,
  cycle_id      integer NOT NULL REFERENCES test_cycles (id),
  sample_id     integer NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
  attribute_id  integer NOT NULL REFERENCES test_attributes (id) ON DELETE CASCADE,
  result        text CHECK (result IN ('pass', 'fail')),
  note          text,
  executed_at   timestamptz,
  UNIQUE (cycle_id, sample_id, attribute_id)
);

CREATE TABLE observations (
  id            serial PRIMARY KEY,
  cycle_id      integer NOT NULL REFERENCES test_cycles (id),
  execution_id  integer NOT NULL UNIQUE REFERENCES test_executions (id) ON DELETE CASCADE,
  severity      text NOT NULL,
  description   text NOT NULL,
  status        text NOT NULL DEFAULT 'open',
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE final_reports (
  id           serial PRIMARY KEY,
  cycle_id     integer NOT NULL UNIQUE REFERENCES test_cycles (id),
  workflow_id  text NOT NULL,
  document     jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- Tracking: business-level metadata about each run. Keys: workflow id + run id (+ phase/activity/attempt).

CREATE TABLE workflow_executions (
  id             bigserial PRIMARY KEY,
  workflow_id    text NOT NULL,
  run_id         text NOT NULL,
  workflow_type  text NOT NULL,
  cycle_id       integer,
  version        integer NOT NULL,
  status         text NOT NULL,
  input          jsonb NOT NULL,
  started_at     timestamptz NOT NULL DEFAULT now(),
  finished_at    timestamptz,
  duration_ms    integer,
  failure        text,
  UNIQUE (workflow_id, run_id)
);
CREATE INDEX workflow_executions_started ON workflow_executions (started_at DESC);
CREATE INDEX workflow_executions_cycle ON workflow_executions (cycle_id);

CREATE TABLE workflow_phases (
  id                     bigserial PRIMARY KEY,
  workflow_id            text NOT NULL,
  run_id                 text NOT NULL,
  phase                  text NOT NULL,
  phase_number           integer NOT NULL,
  status                 text NOT NULL,
  compensation_strategy  text NOT NULL,
  started_at             timestamptz,
  finished_at            timestamptz,
  duration_ms            integer,
  failure                text,
  UNIQUE (workflow_id, run_id, phase)
);

CREATE TABLE workflow_steps (
  id           bigserial PRIMARY KEY,
  workflow_id  text NOT NULL,
  run_id       text NOT NULL,
  phase        text NOT NULL,
  step         text NOT NULL,
  kind         text NOT NULL,
  status       text NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  duration_ms  integer,
  detail       jsonb NOT NULL DEFAULT '{}',
  UNIQUE (workflow_id, run_id, phase, step)
);

CREATE TABLE workflow_transitions (
  id           bigserial PRIMARY KEY,
  workflow_id  text NOT NULL,
  run_id       text NOT NULL,
  from_phase   text NOT NULL,
  to_phase     text NOT NULL,
  kind         text NOT NULL,
  at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workflow_id, run_id, from_phase, to_phase, kind)
);

CREATE TABLE workflow_activity_templates (
  activity_type         text PRIMARY KEY,
  phase                 text NOT NULL,
  retry_class           text NOT NULL CHECK (retry_class IN ('llm', 'database', 'email', 'tracking')),
  expected_duration_ms  integer NOT NULL,
  description           text NOT NULL
);

CREATE TABLE workflow_activity_dependencies (
  activity_type  text NOT NULL REFERENCES workflow_activity_templates (activity_type),
  depends_on     text NOT NULL REFERENCES workflow_activity_templates (activity_type),
  PRIMARY KEY (activity_type, depends_on)
);

CREATE TABLE workflow_activities (
  id                bigserial PRIMARY KEY,
  workflow_id       text NOT NULL,
  run_id            text NOT NULL,
  activity_id       text NOT NULL,
  activity_type     text NOT NULL,
  phase             text NOT NULL,
  retry_class       text NOT NULL,
  status            text NOT NULL,
  attempts          integer NOT NULL,
  first_started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at       timestamptz,
  duration_ms       integer,
  UNIQUE (workflow_id, run_id, activity_id)
);

CREATE TABLE workflow_activity_histories (
  id           bigserial PRIMARY KEY,
  workflow_id  text NOT NULL,
  run_id       text NOT NULL,
  activity_id  text NOT NULL,
  attempt      integer NOT NULL,
  status       text NOT NULL,
  started_at   timestamptz NOT NULL,
  finished_at  timestamptz,
  duration_ms  integer,
  error        text,
  UNIQUE (workflow_id, run_id, activity_id, attempt)
);

CREATE TABLE workflow_activity_retry_log (
  id             bigserial PRIMARY KEY,
  workflow_id    text NOT NULL,
  run_id         text NOT NULL,
  activity_id    text NOT NULL,
  activity_type  text NOT NULL,
  retry_class    text NOT NULL,
  attempt        integer NOT NULL,
  max_attempts   integer NOT NULL,
  error          text NOT NULL,
  backoff_ms     integer,
  exhausted      boolean NOT NULL,
  failed_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workflow_id, run_id, activity_id, attempt)
);
CREATE INDEX workflow_activity_retry_log_time ON workflow_activity_retry_log (failed_at DESC);

CREATE TABLE workflow_alerts (
  id               bigserial PRIMARY KEY,
  dedupe_key       text NOT NULL UNIQUE,
  workflow_id      text NOT NULL,
  run_id           text NOT NULL,
  phase            text,
  kind             text NOT NULL,
  severity         text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  message          text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  acknowledged_at  timestamptz
);
CREATE INDEX workflow_alerts_open ON workflow_alerts (created_at DESC) WHERE acknowledged_at IS NULL;

CREATE TABLE workflow_metrics (
  id           bigserial PRIMARY KEY,
  workflow_id  text NOT NULL,
  run_id       text NOT NULL,
  phase        text NOT NULL,
  metric       text NOT NULL,
  value        double precision NOT NULL,
  unit         text NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workflow_id, run_id, phase, metric)
);
CREATE INDEX workflow_metrics_phase_time ON workflow_metrics (phase, recorded_at DESC);

CREATE TABLE workflow_migration_history (
  id             bigserial PRIMARY KEY,
  workflow_type  text NOT NULL,
  from_version   integer,
  to_version     integer NOT NULL,
  patches        text[] NOT NULL,
  workflow_id    text NOT NULL,
  recorded_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workflow_type, to_version)
);

CREATE TABLE workflow_compensation_log (
  id           bigserial PRIMARY KEY,
  workflow_id  text NOT NULL,
  run_id       text NOT NULL,
  phase        text NOT NULL,
  strategy     text NOT NULL,
  action       text NOT NULL,
  outcome      text NOT NULL,
  reason       text NOT NULL,
  detail       jsonb NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workflow_id, run_id, phase, action)
);
CREATE INDEX workflow_compensation_log_time ON workflow_compensation_log (created_at DESC);

INSERT INTO workflow_activity_templates (activity_type, phase, retry_class, expected_duration_ms, description) VALUES
  ('generateAttributes', 'planning', 'llm', 30000, 'Generate test attributes per report (LLM or rule-based)'),
  ('proposeScope', 'scoping', 'database', 5000, 'Propose in-scope attributes'),
  ('recordScopeApproval', 'scoping', 'database', 5000, 'Record the scope approval'),
  ('selectSamples', 'sample_selection', 'database', 5000, 'Select samples per report'),
  ('identifyDataOwners', 'data_owner_identification', 'database', 5000, 'Assign a data owner per report'),
  ('sendRfis', 'request_for_information', 'email', 10000, 'Send requests for information to data owners'),
  ('recordRfiResponses', 'request_for_information', 'database', 5000, 'Record the owners'' responses'),
  ('executeTests', 'test_execution', 'database', 10000, 'Execute the test cases'),
  ('recordTestResults', 'test_execution', 'database', 5000, 'Record the testers'' results'),
  ('createObservations', 'observation_management', 'database', 5000, 'Raise observations for failed tests'),
  ('finalizeReport', 'finalize_test_report', 'database', 10000, 'Write the final test report'),
  ('summarizeReport', 'finalize_test_report', 'llm', 30000, 'Summarise the final report');

INSERT INTO workflow_activity_dependencies (activity_type, depends_on) VALUES
  ('proposeScope', 'generateAttributes'),
  ('recordScopeApproval', 'proposeScope'),
  ('selectSamples', 'recordScopeApproval'),
  ('identifyDataOwners', 'recordScopeApproval'),
  ('sendRfis', 'selectSamples'),
  ('sendRfis', 'identifyDataOwners'),
  ('recordRfiResponses', 'sendRfis'),
  ('executeTests', 'recordRfiResponses'),
  ('recordTestResults', 'executeTests'),
  ('createObservations', 'recordTestResults'),
  ('finalizeReport', 'createObservations'),
  ('summarizeReport', 'finalizeReport');
