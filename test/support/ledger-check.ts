// Checks a cycle's compensation ledger against the rows themselves. A journal (row triggers installed for the test)
// records every insert and delete on the phases' tables, so "removed" is compared with real deletes and "kept"
// with the rows still there, table by table.
import type pg from 'pg';
import { expect } from 'vitest';
import { rows } from './cycle-stack';

export const PHASE_TABLES = [
  'test_attributes',
  'scoping_decisions',
  'samples',
  'data_owner_assignments',
  'rfis',
  'test_executions',
  'observations',
  'final_reports',
] as const;

export async function installRowJournal(db: pg.Pool): Promise<void> {
  await db.query(`
    CREATE TABLE IF NOT EXISTS test_row_journal (
      id bigserial PRIMARY KEY, tbl text NOT NULL, cycle_id int NOT NULL, op text NOT NULL, old jsonb);
    CREATE OR REPLACE FUNCTION test_journal_row() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        INSERT INTO test_row_journal (tbl, cycle_id, op, old) VALUES (TG_TABLE_NAME, OLD.cycle_id, TG_OP, to_jsonb(OLD));
      ELSE
        INSERT INTO test_row_journal (tbl, cycle_id, op) VALUES (TG_TABLE_NAME, NEW.cycle_id, TG_OP);
      END IF;
      RETURN NULL;
    END $$;`);
  for (const t of PHASE_TABLES) {
    await db.query(`DROP TRIGGER IF EXISTS test_journal ON ${t}`);
    await db.query(
      `CREATE TRIGGER test_journal AFTER INSERT OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION test_journal_row()`,
    );
  }
}

/**
 * Makes a phase fail for good: the completion record of `activityType` in this cycle is refused, so the activity's
 * transaction (its work included) rolls back on every attempt until its retries run out.
 */
export async function installActivityRefusal(db: pg.Pool): Promise<void> {
  await db.query(`
    CREATE TABLE IF NOT EXISTS test_refusals (workflow_id text NOT NULL, activity_type text NOT NULL);
    CREATE OR REPLACE FUNCTION test_refuse_completion() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM test_refusals r WHERE r.workflow_id = NEW.workflow_id AND r.activity_type = NEW.activity_type) THEN
        RAISE EXCEPTION 'refused for the test: % may not complete', NEW.activity_type;
      END IF;
      RETURN NEW;
    END $$;
    DROP TRIGGER IF EXISTS test_refuse ON workflow_activities;
    CREATE TRIGGER test_refuse BEFORE INSERT OR UPDATE ON workflow_activities FOR EACH ROW
      WHEN (NEW.status = 'completed') EXECUTE FUNCTION test_refuse_completion();`);
}

interface LedgerRow {
  phase: string;
  strategy: string;
  outcome: string;
  detail: { removed: Record<string, number>; kept: Record<string, number>; keptBecause?: string };
}

export async function ledgerOf(db: pg.Pool, workflowId: string): Promise<LedgerRow[]> {
  return rows<LedgerRow>(
    db,
    `SELECT phase, strategy, outcome, detail FROM workflow_compensation_log
      WHERE workflow_id = $1 AND run_id = (SELECT run_id FROM workflow_executions WHERE workflow_id = $1
                                            ORDER BY started_at DESC LIMIT 1)
      ORDER BY id`,
    [workflowId],
  );
}

/** Every entry's counts against the journal and the tables, and each strategy's promise row by row. */
export async function expectLedgerMatchesRows(db: pg.Pool, cycleId: number, workflowId: string) {
  const ledger = await ledgerOf(db, workflowId);
  const journal = await rows<{ tbl: string; op: string; n: number }>(
    db,
    `SELECT tbl, op, count(*)::int AS n FROM test_row_journal WHERE cycle_id = $1 GROUP BY 1, 2`,
    [cycleId],
  );
  const deleted = (t: string) => journal.find((j) => j.tbl === t && j.op === 'DELETE')?.n ?? 0;
  const now = async (t: string) =>
    (await rows<{ n: number }>(db, `SELECT count(*)::int AS n FROM ${t} WHERE cycle_id = $1`, [cycleId]))[0]!
      .n;
  const reported = new Set<string>();
  for (const entry of ledger) {
    expect(entry.outcome, `${entry.phase} outcome`).toBe('done');
    for (const [table, n] of Object.entries(entry.detail.removed)) {
      reported.add(table);
      expect(n, `${entry.phase}: removed ${table}`).toBe(deleted(table));
    }
    for (const [table, n] of Object.entries(entry.detail.kept))
      expect(n, `${entry.phase}: kept ${table}`).toBe(await now(table));
  }
  // Nothing was removed that no entry owns up to.
  for (const t of PHASE_TABLES)
    if (!reported.has(t)) expect(deleted(t), `unreported deletes of ${t}`).toBe(0);

  // Strategies, row by row: recorded results and observations stay, and everything kept has its parents.
  const deletedResults = await rows(
    db,
    `SELECT 1 FROM test_row_journal WHERE cycle_id = $1 AND tbl = 'test_executions' AND op = 'DELETE'
        AND old->>'result' IS NOT NULL`,
    [cycleId],
  );
  expect(deletedResults, 'recorded test results removed').toEqual([]);
  expect(deleted('observations'), 'observations removed').toBe(0);
  const phases = new Set(ledger.map((l) => l.phase));
  const orphans = await rows<{ what: string; n: number }>(
    db,
    `SELECT 'unreferenced attributes' AS what, count(*)::int AS n FROM test_attributes a WHERE a.cycle_id = $1
        AND NOT EXISTS (SELECT 1 FROM scoping_decisions d WHERE d.attribute_id = a.id)
        AND NOT EXISTS (SELECT 1 FROM test_executions e WHERE e.attribute_id = a.id)
     UNION ALL SELECT 'unused samples', count(*)::int FROM samples s WHERE s.cycle_id = $1
        AND NOT EXISTS (SELECT 1 FROM test_executions e WHERE e.sample_id = s.id)
     UNION ALL SELECT 'unused scoping decisions', count(*)::int FROM scoping_decisions d WHERE d.cycle_id = $1
        AND NOT EXISTS (SELECT 1 FROM test_executions e WHERE e.attribute_id = d.attribute_id)
     UNION ALL SELECT 'unexecuted tests', count(*)::int FROM test_executions WHERE cycle_id = $1 AND result IS NULL
     UNION ALL SELECT 'unconfirmed assignments', count(*)::int FROM data_owner_assignments WHERE cycle_id = $1 AND NOT confirmed
     UNION ALL SELECT 'final reports', count(*)::int FROM final_reports WHERE cycle_id = $1
     UNION ALL SELECT 'open RFIs', count(*)::int FROM rfis WHERE cycle_id = $1 AND status <> 'withdrawn'`,
    [cycleId],
  );
  const owner: Record<string, string> = {
    'unreferenced attributes': 'planning',
    'unused samples': 'sample_selection',
    'unused scoping decisions': 'scoping',
    'unexecuted tests': 'test_execution',
    'unconfirmed assignments': 'data_owner_identification',
    'final reports': 'finalize_test_report',
    'open RFIs': 'request_for_information',
  };
  // What a compensated phase's rollback removes is gone.
  for (const o of orphans) if (phases.has(owner[o.what]!)) expect(o.n, `${o.what} left`).toBe(0);
  return ledger;
}
