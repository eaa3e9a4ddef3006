// Every operation of the contract declares its effect, and the router acts on it: writes are guarded and
// audited however they end (a refused input included); a reading operation's writing probe runs only where a
// write would be allowed.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { operation, operations, type OperationName } from '../../../main/api/contract';
import { OpsError } from '../../../main/api/errors';
import { Router } from '../../../main/api/router';

// An operation that does not say what it does must not compile (tsc checks the test folder too).
// @ts-expect-error the effect argument is required: there is no default
operation(z.object({}).strict());

describe('the contract declares an effect for every operation', () => {
  const names = Object.keys(operations) as OperationName[];

  it('walks the whole contract: each operation reads or writes, and nothing else', () => {
    expect(names.length).toBeGreaterThan(50);
    for (const name of names) {
      const op = operations[name];
      expect(['reads', 'writes'], name).toContain(op.effect);
      expect(op.writes, name).toBe(op.effect === 'writes');
      if (op.probe) {
        expect(op.effect, `${name}: a probe belongs to a reading operation`).toBe('reads');
        expect(typeof op.probe.when, name).toBe('function');
        expect(op.probe.writes).toBe('temporal');
      }
    }
  });

  it('declares what changes the stack, its data or the console files as writes', () => {
    const writes = names.filter((n) => operations[n].effect === 'writes');
    for (const name of [
      'stack.start',
      'stack.stop',
      'stack.remove',
      'worker.scale',
      'workflows.start',
      'workflows.signal',
      'inspection.terminate',
      'backups.create',
      'backups.restore',
      'backups.remove',
      'backups.applyRetention',
      'recovery.baseBackup',
      'recovery.recover',
      'settings.update',
      'profiles.save',
    ])
      expect(writes, name).toContain(name);
  });

  it('declares the validation as a read whose integration probe writes to Temporal', () => {
    for (const name of ['stack.validate', 'profiles.test'] as const) {
      const op = operations[name];
      expect(op.effect).toBe('reads');
      expect(op.probe?.writes).toBe('temporal');
      expect(op.probe?.when({ integration: true } as never)).toBe(true);
      expect(op.probe?.when({ integration: false } as never)).toBe(false);
    }
  });
});

describe('the router acts on the effect', () => {
  function guardedRouter(readOnly: boolean) {
    const router = new Router();
    const audit: Array<{ op: string; outcome: string; code?: string; actor?: string; input: unknown }> = [];
    router.setWriteGuard((op) => {
      if (readOnly)
        throw new OpsError('READ_ONLY', `read-only: ${op} refused`, 'unlock', { profile: 'prod' });
    });
    router.setWriteObserver((op, input, outcome, _ms, caller) =>
      audit.push({
        op,
        input,
        outcome: outcome.ok ? 'ok' : outcome.refused ? 'refused' : 'failed',
        code: outcome.ok ? undefined : outcome.error.code,
        actor: caller.actor,
      }),
    );
    const seen: unknown[] = [];
    router.register({
      'worker.scale': ({ processes }) => ({ processes }) as never,
      'stack.validate': (input, context) => {
        seen.push(context.probe);
        return { overall: 'healthy', checkedAt: '', checks: [] };
      },
    });
    return { router, audit, seen };
  }

  it('refuses worker.scale -1, 0 and 17 with the field, what is allowed and what was given, and audits each', async () => {
    const { router, audit } = guardedRouter(false);
    for (const processes of [-1, 0, 17]) {
      const res = await router.call('worker.scale', { processes });
      expect(res.ok).toBe(false);
      if (res.ok) continue;
      expect(res.error.code).toBe('INVALID_INPUT');
      expect(res.error.message).toBe(
        `Invalid input for worker.scale: processes: Must be a whole number from 1 to 16.`,
      );
      expect(res.error.details).toEqual({
        issues: [
          {
            path: ['processes'],
            field: 'processes',
            message: 'Must be a whole number from 1 to 16.',
            code: processes > 16 ? 'too_big' : 'too_small',
            allowed: { type: 'number', min: 1, max: 16, wholeNumber: true },
            given: processes,
          },
        ],
      });
    }
    expect(audit.map((a) => `${a.op}:${a.outcome}:${a.code}`)).toEqual([
      'worker.scale:refused:INVALID_INPUT',
      'worker.scale:refused:INVALID_INPUT',
      'worker.scale:refused:INVALID_INPUT',
    ]);
    expect(audit.map((a) => a.input)).toEqual([{ processes: -1 }, { processes: 0 }, { processes: 17 }]);
  });

  it('explains wrong types, missing and extra fields in plain words', async () => {
    const { router } = guardedRouter(false);
    const cases: Array<[unknown, string]> = [
      [{ processes: 'three' }, 'processes: Must be number, not text.'],
      [{ processes: 2.5 }, 'processes: Must be a whole number from 1 to 16; 2.5 is not a whole number.'],
      [{}, 'processes: Required.'],
      [{ processes: 2, extra: 1 }, 'Not a field of this operation: extra.'],
    ];
    for (const [input, text] of cases) {
      const res = await router.call('worker.scale', input);
      expect(res.ok ? '' : res.error.message).toContain(text);
    }
  });

  it('refuses a write on a read-only profile before its handler, and audits the refusal', async () => {
    const { router, audit } = guardedRouter(true);
    const res = await router.call('worker.scale', { processes: 2 });
    expect(res).toMatchObject({ ok: false, error: { code: 'READ_ONLY' } });
    expect(audit).toMatchObject([{ op: 'worker.scale', outcome: 'refused', code: 'READ_ONLY' }]);
  });

  it('runs the validation without its probe on a read-only profile, and audits the probe where it runs', async () => {
    const locked = guardedRouter(true);
    await locked.router.invoke('stack.validate', {});
    await locked.router.invoke('stack.validate', { integration: false });
    expect(locked.seen).toEqual([
      { allowed: false, reason: 'the profile in force ("prod") is read-only' },
      undefined,
    ]);
    expect(locked.audit).toEqual([]);

    const open = guardedRouter(false);
    await open.router.invoke('stack.validate', {}, { actor: 'scheduler' });
    expect(open.seen).toEqual([{ allowed: true }]);
    expect(open.audit).toMatchObject([{ op: 'stack.validate', outcome: 'ok', actor: 'scheduler' }]);
  });
});
