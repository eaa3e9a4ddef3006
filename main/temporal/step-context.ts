// What a human step's dialog shows, read from the app DB: the scope Planning and Scoping proposed, the RFIs still
// open (question, data owner, when sent), and the executions still without a result.
import type pg from 'pg';
import type { OpenExecution, OpenRfi, ProposedReportScope } from '../api';

/** Sample Selection draws this many records per report (at most the report's population). */
const SAMPLES_PER_REPORT = 5;

export async function proposedScope(
  db: pg.Pool,
  cycleId: number,
  reportIds: number[],
): Promise<ProposedReportScope[]> {
  const { rows } = await db.query<{
    report_id: number;
    report: string;
    population: number;
    id: number | null;
    code: string | null;
    name: string | null;
    description: string | null;
    in_scope: boolean | null;
    rationale: string | null;
  }>(
    `SELECT r.id AS report_id, r.name AS report, r.population_size AS population,
            a.id, a.code, a.name, a.description, d.in_scope, d.rationale
       FROM reports r
       LEFT JOIN test_attributes a ON a.report_id = r.id AND a.cycle_id = $1
       LEFT JOIN scoping_decisions d ON d.attribute_id = a.id AND d.cycle_id = $1
      WHERE r.id = ANY($2::int[])
      ORDER BY r.id, a.code`,
    [cycleId, reportIds],
  );
  const reports = new Map<number, ProposedReportScope>();
  for (const r of rows) {
    const report = reports.get(r.report_id) ?? {
      reportId: r.report_id,
      report: r.report,
      population: r.population,
      samplesToDraw: Math.min(SAMPLES_PER_REPORT, r.population),
      attributes: [],
    };
    if (r.id !== null) {
      report.attributes.push({
        id: r.id,
        code: r.code ?? '',
        name: r.name ?? '',
        description: r.description ?? '',
        inScope: r.in_scope ?? false,
        rationale: r.rationale ?? '',
      });
    }
    reports.set(r.report_id, report);
  }
  return [...reports.values()];
}

/** The cycle's RFIs still without an answer (the workflow's list when it gives one, else the app DB's status). */
export async function openRfis(db: pg.Pool, cycleId: number, open?: number[]): Promise<OpenRfi[]> {
  const { rows } = await db.query<{
    report_id: number;
    report: string;
    owner: string;
    email: string | null;
    subject: string | null;
    body: string | null;
    created_at: Date;
  }>(
    `SELECT f.report_id, r.name AS report, o.name AS owner, o.email, m.subject, m.body, f.created_at
       FROM rfis f JOIN reports r ON r.id = f.report_id JOIN data_owners o ON o.id = f.owner_id
       LEFT JOIN message_outbox m ON m.dedupe_key = 'rfi:' || f.cycle_id || ':' || f.report_id
      WHERE f.cycle_id = $1 AND ($2::int[] IS NULL OR f.report_id = ANY($2::int[]))
        AND ($2::int[] IS NOT NULL OR f.status <> 'responded')
      ORDER BY f.report_id`,
    [cycleId, open ?? null],
  );
  return rows.map((r) => ({
    reportId: r.report_id,
    report: r.report,
    owner: r.owner,
    ownerEmail: r.email,
    question: r.body ?? r.subject ?? `Request for information about ${r.report}`,
    sentAt: r.created_at.toISOString(),
  }));
}

/** The cycle's executions still without a result, with what each one tests. */
export async function openExecutions(
  db: pg.Pool,
  cycleId: number,
  open?: number[],
): Promise<OpenExecution[]> {
  const { rows } = await db.query<{
    id: number;
    report_id: number;
    code: string;
    name: string;
    record_ref: string;
  }>(
    `SELECT e.id, a.report_id, a.code, a.name, s.record_ref
       FROM test_executions e JOIN test_attributes a ON a.id = e.attribute_id JOIN samples s ON s.id = e.sample_id
      WHERE e.cycle_id = $1 AND e.result IS NULL AND ($2::int[] IS NULL OR e.id = ANY($2::int[]))
      ORDER BY e.id`,
    [cycleId, open ?? null],
  );
  return rows.map((r) => ({
    id: r.id,
    reportId: r.report_id,
    attribute: r.code,
    attributeName: r.name,
    sample: r.record_ref,
  }));
}
