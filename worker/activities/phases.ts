// The phases' activities: each does real work on the app DB inside runTracked's transaction.
// Failures that come from the data are DataErrors: the phase fails for good and compensation runs.
import type pg from 'pg';
import type { PhaseContext, RfiResponse, ScopeApproval, TestResult } from '../../shared/workflow';
import { DataError, runTracked, type ActivityDeps } from './context';
import { deliverOutbox } from './delivery';
import { llmAttributes, llmSummary, ruleBasedAttributes } from './planning';

export type PhaseCall = PhaseContext & { retryBaseMs: number };

async function reportsOf(client: pg.ClientBase, ids: number[]) {
  const { rows } = await client.query<{
    id: number;
    name: string;
    population_size: number;
    data_owner_id: number | null;
  }>('SELECT id, name, population_size, data_owner_id FROM reports WHERE id = ANY($1) ORDER BY id', [ids]);
  const missing = ids.filter((id) => !rows.some((r) => r.id === id));
  if (missing.length) throw new DataError(`Report ${missing.join(', ')} does not exist in the app DB`);
  return rows;
}

export function phaseActivities(deps: ActivityDeps) {
  const llmConfigured = () => deps.config.llm.baseUrl.trim() !== '';
  return {
    async generateAttributes(ctx: PhaseCall) {
      return runTracked(
        deps,
        { type: 'generateAttributes', phase: 'planning', retryClass: 'llm' },
        ctx,
        async (c) => {
          await c.query(
            `INSERT INTO test_cycles (id, name, status, current_phase, workflow_id, report_ids)
           VALUES ($1::int, 'Test cycle ' || $1::int, 'running', 'planning', $2, $3)
           ON CONFLICT (id) DO UPDATE SET status = 'running', workflow_id = EXCLUDED.workflow_id,
             report_ids = EXCLUDED.report_ids, updated_at = now()`,
            [ctx.cycleId, ctx.workflowId, ctx.reportIds],
          );
          let count = 0;
          let generator = '';
          for (const report of await reportsOf(c, ctx.reportIds)) {
            const generation = llmConfigured()
              ? await llmAttributes(deps.config.llm, report.name)
              : ruleBasedAttributes(report.name);
            generator = generation.generator;
            for (const a of generation.attributes) {
              const r = await c.query(
                `INSERT INTO test_attributes (cycle_id, report_id, code, name, description, generator)
               VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (cycle_id, report_id, code) DO NOTHING`,
                [ctx.cycleId, report.id, a.code, a.name, a.description, generation.generator],
              );
              count += r.rowCount ?? 0;
            }
          }
          return { attributes: count, generator };
        },
      );
    },

    async proposeScope(ctx: PhaseCall) {
      return runTracked(
        deps,
        { type: 'proposeScope', phase: 'scoping', retryClass: 'database' },
        ctx,
        async (c) => {
          const r = await c.query(
            `INSERT INTO scoping_decisions (cycle_id, attribute_id, in_scope, rationale)
           SELECT cycle_id, id, true, 'Proposed: ' || name || ' applies to every report in the cycle'
             FROM test_attributes WHERE cycle_id = $1
           ON CONFLICT (cycle_id, attribute_id) DO NOTHING`,
            [ctx.cycleId],
          );
          const { rows } = await c.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM scoping_decisions WHERE cycle_id = $1 AND in_scope',
            [ctx.cycleId],
          );
          if (rows[0]!.n === 0) throw new DataError(`Cycle ${ctx.cycleId} has no attributes to scope`);
          return { proposed: r.rowCount ?? 0, inScope: rows[0]!.n };
        },
      );
    },

    async recordScopeApproval(ctx: PhaseCall, approval: ScopeApproval) {
      return runTracked(
        deps,
        { type: 'recordScopeApproval', phase: 'scoping', retryClass: 'database' },
        ctx,
        async (c) => {
          const r = await c.query(
            `UPDATE scoping_decisions SET approved_by = $2, approved_at = COALESCE(approved_at, now()) WHERE cycle_id = $1`,
            [ctx.cycleId, approval.by],
          );
          return { approved: r.rowCount ?? 0 };
        },
      );
    },

    async selectSamples(ctx: PhaseCall) {
      return runTracked(
        deps,
        { type: 'selectSamples', phase: 'sample_selection', retryClass: 'database' },
        ctx,
        async (c) => {
          let count = 0;
          for (const report of await reportsOf(c, ctx.reportIds)) {
            if (report.population_size === 0)
              throw new DataError(`Report ${report.id} has no records to sample`);
            const n = Math.min(5, report.population_size);
            for (let k = 0; k < n; k++) {
              // Deterministic spread over the population: the same cycle always samples the same records.
              const index =
                (ctx.cycleId * 7919 + k * Math.ceil(report.population_size / n)) % report.population_size;
              const r = await c.query(
                `INSERT INTO samples (cycle_id, report_id, sample_no, record_ref) VALUES ($1, $2, $3, $4)
               ON CONFLICT (cycle_id, report_id, sample_no) DO NOTHING`,
                [ctx.cycleId, report.id, k + 1, `R${report.id}-${String(index + 1).padStart(6, '0')}`],
              );
              count += r.rowCount ?? 0;
            }
          }
          return { samples: count };
        },
      );
    },

    async identifyDataOwners(ctx: PhaseCall) {
      return runTracked(
        deps,
        { type: 'identifyDataOwners', phase: 'data_owner_identification', retryClass: 'database' },
        ctx,
        async (c) => {
          let count = 0;
          for (const report of await reportsOf(c, ctx.reportIds)) {
            if (report.data_owner_id == null) throw new DataError(`Report ${report.id} has no data owner`);
            const r = await c.query(
              `INSERT INTO data_owner_assignments (cycle_id, report_id, owner_id, confirmed)
               SELECT $1, $2, id, email IS NOT NULL FROM data_owners WHERE id = $3
               ON CONFLICT (cycle_id, report_id) DO NOTHING`,
              [ctx.cycleId, report.id, report.data_owner_id],
            );
            count += r.rowCount ?? 0;
          }
          return { owners: count };
        },
      );
    },

    async sendRfis(ctx: PhaseCall) {
      return runTracked(
        deps,
        { type: 'sendRfis', phase: 'request_for_information', retryClass: 'email' },
        ctx,
        async (c) => {
          const { rows } = await c.query<{
            report_id: number;
            owner_id: number;
            name: string;
            email: string | null;
            report: string;
          }>(
            `SELECT a.report_id, a.owner_id, o.name, o.email, r.name AS report
             FROM data_owner_assignments a JOIN data_owners o ON o.id = a.owner_id JOIN reports r ON r.id = a.report_id
            WHERE a.cycle_id = $1 ORDER BY a.report_id`,
            [ctx.cycleId],
          );
          if (rows.length === 0) throw new DataError(`Cycle ${ctx.cycleId} has no data owners to ask`);
          for (const o of rows) {
            if (!o.email)
              throw new DataError(`Data owner "${o.name}" of report ${o.report_id} has no email address`);
            await c.query(
              `INSERT INTO rfis (cycle_id, report_id, owner_id) VALUES ($1, $2, $3) ON CONFLICT (cycle_id, report_id) DO NOTHING`,
              [ctx.cycleId, o.report_id, o.owner_id],
            );
            await c.query(
              `INSERT INTO message_outbox (dedupe_key, cycle_id, kind, recipient, subject, body)
             VALUES ($1, $2, 'rfi', $3, $4, $5) ON CONFLICT (dedupe_key) DO NOTHING`,
              [
                `rfi:${ctx.cycleId}:${o.report_id}`,
                ctx.cycleId,
                o.email,
                `Request for information: ${o.report}`,
                `Please provide the source records for the samples of "${o.report}" in test cycle ${ctx.cycleId}.`,
              ],
            );
          }
          const delivered = await deliverOutbox(c, deps.config.mailWebhook, ctx.cycleId);
          return { rfis: rows.map((o) => o.report_id), delivered };
        },
      );
    },

    async recordRfiResponses(ctx: PhaseCall, responses: RfiResponse[]) {
      return runTracked(
        deps,
        { type: 'recordRfiResponses', phase: 'request_for_information', retryClass: 'database' },
        ctx,
        async (c) => {
          let count = 0;
          for (const r of responses) {
            const u = await c.query(
              `UPDATE rfis SET status = 'responded', response = $3, responded_at = COALESCE(responded_at, now())
               WHERE cycle_id = $1 AND report_id = $2`,
              [ctx.cycleId, r.reportId, r.response],
            );
            count += u.rowCount ?? 0;
          }
          return { responded: count };
        },
      );
    },

    async executeTests(ctx: PhaseCall, options: { autoResults: boolean }) {
      return runTracked(
        deps,
        { type: 'executeTests', phase: 'test_execution', retryClass: 'database' },
        ctx,
        async (c) => {
          await c.query(
            `INSERT INTO test_executions (cycle_id, sample_id, attribute_id)
           SELECT s.cycle_id, s.id, a.id FROM samples s
             JOIN test_attributes a ON a.cycle_id = s.cycle_id AND a.report_id = s.report_id
             JOIN scoping_decisions d ON d.attribute_id = a.id AND d.in_scope
            WHERE s.cycle_id = $1
           ON CONFLICT (cycle_id, sample_id, attribute_id) DO NOTHING`,
            [ctx.cycleId],
          );
          if (options.autoResults) {
            // Unattended runs: a deterministic rule stands in for the tester, and the note says so.
            await c.query(
              `UPDATE test_executions SET result = CASE WHEN (sample_id * 31 + attribute_id) % 11 = 0 THEN 'fail' ELSE 'pass' END,
               note = 'automatic result (unattended run)', executed_at = now()
             WHERE cycle_id = $1 AND result IS NULL`,
              [ctx.cycleId],
            );
          }
          const { rows } = await c.query<{ id: number }>(
            'SELECT id FROM test_executions WHERE cycle_id = $1 AND result IS NULL ORDER BY id',
            [ctx.cycleId],
          );
          return { pending: rows.map((r) => r.id) };
        },
        // The phase ends here unless results are still to come from a tester.
        (r) => r.pending.length === 0,
      );
    },

    async recordTestResults(ctx: PhaseCall, results: TestResult[]) {
      return runTracked(
        deps,
        { type: 'recordTestResults', phase: 'test_execution', retryClass: 'database' },
        ctx,
        async (c) => {
          let count = 0;
          for (const r of results) {
            const u = await c.query(
              `UPDATE test_executions SET result = $3, note = $4, executed_at = now()
               WHERE cycle_id = $1 AND result IS NULL AND ($2::int IS NULL OR id = $2)`,
              [ctx.cycleId, r.executionId ?? null, r.result, r.note ?? null],
            );
            count += u.rowCount ?? 0;
          }
          return { recorded: count };
        },
      );
    },

    async createObservations(ctx: PhaseCall) {
      return runTracked(
        deps,
        { type: 'createObservations', phase: 'observation_management', retryClass: 'database' },
        ctx,
        async (c) => {
          await c.query(
            `INSERT INTO observations (cycle_id, execution_id, severity, description)
             SELECT e.cycle_id, e.id, CASE WHEN a.code = 'A02' THEN 'high' ELSE 'medium' END,
                    a.name || ' failed for sample ' || s.record_ref || COALESCE(': ' || e.note, '')
               FROM test_executions e JOIN test_attributes a ON a.id = e.attribute_id JOIN samples s ON s.id = e.sample_id
              WHERE e.cycle_id = $1 AND e.result = 'fail'
             ON CONFLICT (execution_id) DO NOTHING`,
            [ctx.cycleId],
          );
          const { rows } = await c.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM observations WHERE cycle_id = $1',
            [ctx.cycleId],
          );
          return { observations: rows[0]!.n };
        },
      );
    },

    async finalizeReport(ctx: PhaseCall) {
      return runTracked(
        deps,
        { type: 'finalizeReport', phase: 'finalize_test_report', retryClass: 'database' },
        ctx,
        async (c) => {
          const { rows } = await c.query<{ document: Record<string, unknown> }>(
            `SELECT json_build_object(
               'cycleId', $1::int,
               'reports', (SELECT json_agg(json_build_object('reportId', r.id, 'name', r.name,
                   'attributes', (SELECT count(*) FROM test_attributes a WHERE a.cycle_id = $1 AND a.report_id = r.id),
                   'samples', (SELECT count(*) FROM samples s WHERE s.cycle_id = $1 AND s.report_id = r.id)) ORDER BY r.id)
                 FROM reports r WHERE r.id = ANY($2)),
               'executions', (SELECT count(*) FROM test_executions WHERE cycle_id = $1),
               'passed', (SELECT count(*) FROM test_executions WHERE cycle_id = $1 AND result = 'pass'),
               'failed', (SELECT count(*) FROM test_executions WHERE cycle_id = $1 AND result = 'fail'),
               'observations', (SELECT coalesce(json_agg(json_build_object('id', id, 'severity', severity, 'description', description) ORDER BY id), '[]')
                 FROM observations WHERE cycle_id = $1),
               'generatedAt', now()) AS document`,
            [ctx.cycleId, ctx.reportIds],
          );
          const doc = rows[0]!.document;
          const r = await c.query<{ id: number }>(
            `INSERT INTO final_reports (cycle_id, workflow_id, document) VALUES ($1, $2, $3)
             ON CONFLICT (cycle_id) DO UPDATE SET workflow_id = EXCLUDED.workflow_id, document = EXCLUDED.document
             RETURNING id`,
            [ctx.cycleId, ctx.workflowId, JSON.stringify(doc)],
          );
          await c.query(`UPDATE test_cycles SET status = 'reported', updated_at = now() WHERE id = $1`, [
            ctx.cycleId,
          ]);
          return { finalReportId: r.rows[0]!.id, observations: (doc.observations as unknown[]).length };
        },
      );
    },

    /** Version 2 of the workflow adds a summary to the final report (patch `summarize-final-report`). */
    async summarizeReport(ctx: PhaseCall, finalReportId: number) {
      return runTracked(
        deps,
        { type: 'summarizeReport', phase: 'finalize_test_report', retryClass: 'llm' },
        ctx,
        async (c) => {
          const { rows } = await c.query<{
            document: { executions: number; passed: number; failed: number };
          }>('SELECT document FROM final_reports WHERE id = $1', [finalReportId]);
          const doc = rows[0]?.document;
          if (!doc) throw new DataError(`Final report ${finalReportId} is missing`);
          const summary = llmConfigured()
            ? await llmSummary(deps.config.llm, doc)
            : {
                generator: 'rule-based (no LLM configured)',
                text: `${doc.executions} tests executed: ${doc.passed} passed, ${doc.failed} failed.`,
              };
          await c.query(
            `UPDATE final_reports SET document = document || jsonb_build_object('summary', $2::text, 'summaryGenerator', $3::text) WHERE id = $1`,
            [finalReportId, summary.text, summary.generator],
          );
          return { summarized: true };
        },
      );
    },
  };
}
