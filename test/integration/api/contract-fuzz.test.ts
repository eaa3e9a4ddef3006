// Property-based fuzzing of the whole contract, through the real router over the real WebSocket, against a
// real console with a running embedded stack (real PostgreSQL and Temporal).
//
// Every operation gets inputs from and around its schema (fitting values, values just past each bound, wrong
// types, missing and extra fields, huge strings and numbers, unicode, negative and zero, non-objects). Each
// answer must be a valid result or a typed error; an INVALID_INPUT names every refused field and comes exactly
// when the schema refuses the input.
//
// Destructive operations are never sent a valid input: for every operation declared `writes`, only inputs its
// own schema refuses are generated (checked before sending), so the fuzzing cannot stop the stack, remove data
// or start a cycle; what it proves for them is that a refused input is answered, audited as refused, and
// changes nothing. Reading operations get valid inputs too. Afterwards nothing the console keeps (its files,
// the app database's rows, the backup sets) has changed, and the console and the stack still answer.
//
// Cases per operation: OPS_FUZZ_RUNS (default 30 here; e.g. OPS_FUZZ_RUNS=500 for a long run).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import pg from 'pg';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsole, type WiredConsole } from '../../../main/console';
import { ErrorCodeSchema, operations, type OperationName } from '../../../main/api';
import { postgresUrl } from '../../../main/stack';
import { startBrowserServer, type BrowserServer } from '../../../main/transport';
import { scratchHome } from '../../support/console-process';
import { freeStackSettings } from '../../support/stack-settings';
import { inputsAround } from '../../support/contract-arbitraries';

const RUNS = Number(process.env.OPS_FUZZ_RUNS ?? 30);

let ops: WiredConsole;
let server: BrowserServer;
let ws: WebSocket;
let home: string;
let db: pg.Pool;
let nextId = 1;
const pending = new Map<number, (frame: Record<string, unknown>) => void>();

/** One call; an answer that does not come within CALL_LIMIT_MS fails naming the operation and its input. */
const CALL_LIMIT_MS = 30_000;
/** The time one operation's cases (and the shrinking of a failure) may take. */
const OP_LIMIT_MS = Number(process.env.OPS_FUZZ_OP_LIMIT_MS ?? 30_000);
function call(op: string, input: unknown): Promise<Record<string, unknown>> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      const shown = JSON.stringify(input)?.slice(0, 300);
      reject(new Error(`${op} did not answer within ${CALL_LIMIT_MS / 1000} s; input: ${shown}`));
    }, CALL_LIMIT_MS);
    pending.set(id, (frame) => {
      clearTimeout(timer);
      resolve(frame);
    });
    ws.send(JSON.stringify({ type: 'call', id, op, input }));
  });
}

/** What the console keeps: its files (not the audit trail or the stack's own folder), app-DB rows, backup sets. */
async function snapshot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(home, full);
      // The audit trail grows by design; the stack's data and the services' own log files change as they run.
      if (rel === 'audit.jsonl' || /^(stack|logs)(\/|$)/.test(rel)) continue;
      if (entry.isDirectory()) walk(full);
      else out[rel] = crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex');
    }
  };
  walk(home);
  const tables = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
  );
  for (const { table_name } of tables.rows) {
    const { rows } = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${table_name}"`);
    out[`db:${table_name}`] = rows[0]!.n;
  }
  return out;
}

beforeAll(async () => {
  const free = await freeStackSettings();
  home = scratchHome({ ...free, worker: { enabled: false } });
  ops = createConsole({ mode: 'browser', dataDir: home, env: {} });
  await ops.router.invoke('stack.start', {});
  const spec = ops.stack.spec();
  db = new pg.Pool({ connectionString: postgresUrl(spec.appPostgres, spec.appPostgres.database), max: 2 });
  server = await startBrowserServer({ router: ops.router });
  ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as Record<string, unknown>;
    if (frame.type !== 'result') return;
    pending.get(frame.id as number)?.(frame);
    pending.delete(frame.id as number);
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
});

afterAll(async () => {
  ws?.close();
  await server?.close();
  await db?.end();
  await ops?.router.call('stack.stop', {});
  await ops?.shutdown();
});

const ERROR_CODES = new Set<string>(ErrorCodeSchema.options);

describe('fuzzing every operation of the contract over the WebSocket', () => {
  it('answers every input with a valid result or a typed error naming the field, changes nothing for a refused input, and keeps answering', async () => {
    const before = await snapshot();
    const auditBefore = ops.audit.all().length;
    const counts: Record<
      string,
      { cases: number; refused: number; ok: number; otherErrors: number; ms: number }
    > = {};
    const only = process.env.OPS_FUZZ_ONLY?.split(',');
    const names = (Object.keys(operations) as OperationName[])
      .filter((n) => !only || only.includes(n))
      .sort();

    for (const name of names) {
      const op = operations[name];
      const roundTrip = (v: unknown) => JSON.parse(JSON.stringify(v ?? {})) as unknown;
      const refusedBySchema = (v: unknown) => !op.input.safeParse(roundTrip(v)).success;
      // Writes only ever see inputs their schema refuses (see the top of this file).
      const inputs =
        op.effect === 'writes' ? inputsAround(op.input).filter(refusedBySchema) : inputsAround(op.input);
      const tally = (counts[name] = { cases: 0, refused: 0, ok: 0, otherErrors: 0, ms: 0 });
      const started = performance.now();
      await fc.assert(
        fc.asyncProperty(inputs, async (input) => {
          tally.cases++;
          const frame = await call(name, input);
          const invalid = refusedBySchema(input);
          if (frame.ok === true) {
            expect(invalid, `${name} accepted an input its schema refuses`).toBe(false);
            tally.ok++;
            return;
          }
          const error = frame.error as { code: string; message: string; hint: string; details?: unknown };
          expect(ERROR_CODES.has(error.code), `${name}: ${error.code}`).toBe(true);
          expect(error.message.length).toBeGreaterThan(0);
          expect(typeof error.hint).toBe('string');
          expect(error.code === 'INVALID_INPUT', `${name}: ${error.code} ${error.message}`).toBe(invalid);
          if (error.code !== 'INVALID_INPUT') {
            tally.otherErrors++;
            return;
          }
          tally.refused++;
          const issues = (
            error.details as { issues: Array<{ path: string[]; field: string; message: string }> }
          ).issues;
          expect(issues.length).toBeGreaterThan(0);
          for (const issue of issues) {
            expect(Array.isArray(issue.path)).toBe(true);
            expect(issue.message.length).toBeGreaterThan(0);
            if (issue.field) expect(error.message).toContain(issue.field);
          }
        }),
        // A failure found is reported even when shrinking it would outlast the time one operation may take.
        { numRuns: RUNS, interruptAfterTimeLimit: OP_LIMIT_MS, markInterruptAsFailure: true },
      );
      tally.ms = performance.now() - started;
      // The console still answers after each operation's cases.
      expect(await call('app.info', {})).toMatchObject({ ok: true });
    }

    const lines = Object.entries(counts).map(
      ([name, c]) =>
        `${name.padEnd(30)} ${String(c.cases).padStart(5)} cases: ${c.refused} refused as invalid, ${c.ok} answered, ${c.otherErrors} other typed errors, ${Math.round(c.ms)} ms`,
    );
    const total = Object.values(counts).reduce((n, c) => n + c.cases, 0);
    process.stdout.write(
      `\nFuzzed ${names.length} operations, ${total} cases (${RUNS} per operation):\n${lines.join('\n')}\n`,
    );

    // Nothing written: the console's files, the app DB and the backup sets are as they were.
    expect(await snapshot()).toEqual(before);
    // Every write it saw was refused and audited as such (the validation's probe, a read, may run and is audited).
    const added = ops.audit.all().slice(auditBefore);
    const writes = names.filter((n) => operations[n].effect === 'writes');
    for (const name of writes)
      expect(
        added.some((e) => e.op === name && e.outcome === 'refused'),
        name,
      ).toBe(true);
    for (const entry of added.filter((e) => operations[e.op as OperationName].effect === 'writes'))
      expect(entry).toMatchObject({ outcome: 'refused', error: { code: 'INVALID_INPUT' } });
    // The stack was never stopped, and the console still answers.
    expect(await call('stack.status', {})).toMatchObject({ ok: true, result: { state: 'running' } });
  });
});
