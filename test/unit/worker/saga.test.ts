// The saga's pure parts: what each compensation waits for, its retry class, and the fix an alert names.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PHASES } from '../../../shared/phases';
import { COMPENSATION_WAITS_FOR, compensationRetryClass } from '../../../worker/workflows/saga';
import { fixHint } from '../../../worker/workflows/attention';

/** Which phase writes each table (its compensation owns the rows). */
const OWNER: Record<string, string> = {
  test_attributes: 'planning',
  scoping_decisions: 'scoping',
  samples: 'sample_selection',
  data_owner_assignments: 'data_owner_identification',
  rfis: 'request_for_information',
  test_executions: 'test_execution',
  observations: 'observation_management',
  final_reports: 'finalize_test_report',
};

describe('compensation chain', () => {
  it('waits, for each phase, for exactly the phases whose rows reference its rows in the schema', () => {
    const sql = fs
      .readdirSync(path.resolve(__dirname, '../../../main/db/migrations'))
      .filter((f) => f.endsWith('.sql'))
      .map((f) => fs.readFileSync(path.resolve(__dirname, '../../../main/db/migrations', f), 'utf8'))
      .join('\n');
    const expected: Record<string, Set<string>> = {};
    // CREATE TABLE child (... col integer ... REFERENCES parent (id) ...)
    for (const table of sql.matchAll(/CREATE TABLE (\w+) \(([\s\S]*?)\n\);/g)) {
      const child = OWNER[table[1]!];
      if (!child) continue;
      for (const ref of table[2]!.matchAll(/REFERENCES (\w+) \(id\)/g)) {
        const parent = OWNER[ref[1]!];
        if (parent && parent !== child) (expected[parent] ??= new Set()).add(child);
      }
    }
    // Not a reference, a rule: scoping keeps the decisions recorded results were tested under.
    (expected.scoping ??= new Set()).add('test_execution');
    const actual = Object.fromEntries(
      Object.entries(COMPENSATION_WAITS_FOR).map(([k, v]) => [k, new Set(v)]),
    );
    expect(actual).toEqual(expected);
  });

  it('retries notices by the email policy and everything else as database work', () => {
    expect(PHASES.map((p) => [p.id, compensationRetryClass(p.compensation)])).toEqual([
      ['planning', 'database'],
      ['scoping', 'email'],
      ['sample_selection', 'database'],
      ['data_owner_identification', 'database'],
      ['request_for_information', 'email'],
      ['test_execution', 'database'],
      ['observation_management', 'database'],
      ['finalize_test_report', 'database'],
    ]);
  });
});

describe('needs attention', () => {
  it('names the fix for each kind of data failure', () => {
    expect(fixHint('Data owner "X" of report 4 has no email address')).toMatch(/email address/);
    expect(fixHint('Report 4 has no data owner')).toMatch(/assign a data owner/);
    expect(fixHint('Report 4 has no records to sample')).toMatch(/population size/);
    expect(fixHint('generateAttributes failed 3 times (llm policy exhausted): 503')).toMatch(/service/);
    expect(fixHint('something else')).toMatch(/Retry phase/);
  });

  it('lets only phases whose rows later phases do not need be skipped', () => {
    expect(PHASES.filter((p) => p.skippable).map((p) => p.id)).toEqual([
      'request_for_information',
      'observation_management',
    ]);
  });
});
