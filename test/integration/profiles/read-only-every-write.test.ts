// For every operation the contract declares `writes`, a read-only production profile refuses it at the router
// and the audit trail records the refusal; the export of that trail is safe to open in a spreadsheet.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createConsole, type WiredConsole } from '../../../main/console';
import { operations, type OperationName } from '../../../main/api/contract';
import { scratchHome } from '../../support/console-process';
import { fitting, jsonSchemaOf } from '../../support/contract-arbitraries';

const consoles: WiredConsole[] = [];
afterAll(async () => {
  for (const ops of consoles.splice(0)) await ops.shutdown();
});

const prod = {
  name: 'prod-eu',
  provider: 'attached' as const,
  production: true,
  temporal: { address: '127.0.0.1:1', namespace: 'default', tls: { enabled: false } },
  appPostgres: { host: '127.0.0.1', port: 1, user: 'ops', sslmode: 'disable' as const },
};

/**
 * Managing profiles and the lock stays open on a locked profile (the operator must be able to unlock it, or
 * switch away); everything else that writes is refused.
 */
const OPEN_WHILE_LOCKED = new Set<OperationName>([
  'profiles.save',
  'profiles.remove',
  'profiles.use',
  'profiles.unlock',
  'profiles.lock',
]);

/**
 * Operations whose valid input a generator rarely hits by chance (a typed confirmation that repeats another field,
 * a moment written as a date).
 * Every other operation's input is generated from its schema, so a new operation is covered without a table.
 */
const HAND_MADE: Partial<Record<OperationName, unknown>> = {
  'stack.resetPassword': { cluster: 'app-postgres', confirm: 'reset app-postgres' },
  'recovery.recover': { to: '2026-11-25T14:02:59Z', confirm: true },
};

/** A valid input for an operation: hand-made where listed above, else the first of a bounded sample that parses. */
function validInput(name: OperationName): unknown {
  if (name in HAND_MADE) return HAND_MADE[name];
  const schema = operations[name].input;
  return fc.sample(fitting(jsonSchemaOf(schema)), { numRuns: 500, seed: 13 }).find(
    (v) =>
      schema.safeParse(v).success &&
      // The theme alone is a preference of the window, allowed while locked: ask for a real change.
      (name !== 'settings.update' || Object.keys(v as object).some((k) => k !== 'theme')),
  );
}

describe('read-only production profile', () => {
  it('refuses every write of the contract at the router and audits each refusal', async () => {
    const home = scratchHome();
    const ops = createConsole({ mode: 'cli', dataDir: home, env: {} });
    consoles.push(ops);
    await ops.router.invoke('profiles.save', { profile: prod });
    await ops.router.invoke('profiles.use', { name: 'prod-eu' });
    expect(ops.profiles.mode().readOnly).toBe(true);

    const writes = (Object.keys(operations) as OperationName[]).filter(
      (n) => operations[n].effect === 'writes' && !OPEN_WHILE_LOCKED.has(n),
    );
    expect(writes.length).toBeGreaterThan(25);
    const before = ops.audit.all().length;
    for (const name of writes) {
      const input = validInput(name);
      expect(operations[name].input.safeParse(input).success, `${name}: a valid input`).toBe(true);
      const res = await ops.router.call(name, input);
      expect(res, name).toMatchObject({ ok: false, error: { code: 'READ_ONLY' } });
    }
    const added = ops.audit.all().slice(before);
    expect(added.map((e) => e.op)).toEqual(writes);
    for (const entry of added)
      expect(entry, entry.op).toMatchObject({
        outcome: 'refused',
        profile: 'prod-eu',
        production: true,
        error: { code: 'READ_ONLY' },
      });
    process.stdout.write(`read-only refused and audited ${writes.length} writes: ${writes.join(', ')}\n`);
  });

  it('audits refused inputs too, and exports them to CSV with formulas escaped', async () => {
    const home = scratchHome();
    const ops = createConsole({ mode: 'cli', dataDir: home, env: {} });
    consoles.push(ops);
    const formula = "=cmd|' /C calc'!A0";
    for (const processes of [-1, 0, 17])
      expect(await ops.router.call('worker.scale', { processes })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT' },
      });
    // A whole input that is a formula, and one inside a field.
    expect(await ops.router.call('workflows.cancel', formula)).toMatchObject({ ok: false });
    expect(await ops.router.call('workflows.cancel', { workflowId: formula, extra: '+1' })).toMatchObject({
      ok: false,
    });
    const { entries } = await ops.router.invoke('audit.list', { outcome: 'refused' });
    expect(entries.map((e) => e.op).reverse()).toEqual([
      'worker.scale',
      'worker.scale',
      'worker.scale',
      'workflows.cancel',
      'workflows.cancel',
    ]);

    const csv = await ops.router.invoke('audit.export', { format: 'csv' });
    expect(csv.count).toBe(5);
    const lines = csv.content.trim().split('\n');
    expect(lines[0]).toBe('time,profile,production,operator,via,op,outcome,error,durationMs,input');
    // The bare formula input is one cell: it starts with a quote mark, so a spreadsheet shows it as text.
    expect(csv.content).toContain(`,'${formula}`);
    expect(csv.content).not.toMatch(/(^|,)=cmd/m);
    expect(csv.content).not.toMatch(/(^|,)"=cmd/m);
  });
});
