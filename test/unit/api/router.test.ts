import { describe, expect, it } from 'vitest';
import { Router } from '../../../main/api/router';
import { OpsError } from '../../../main/api/errors';

function routerWithSettings() {
  const router = new Router();
  let taskQueue = 'q';
  router.register({
    'settings.update': (patch) => {
      taskQueue = patch.temporal?.taskQueue ?? taskQueue;
      return { settings: { temporal: { taskQueue } } as never, overrides: [], file: 'x' };
    },
    'logs.recent': (input) => [
      { seq: input.limit, ts: 't', source: input.source ?? 'all', level: 'info', message: 'm' },
    ],
  });
  return router;
}

describe('router', () => {
  it('runs a valid call and fills defaults from the schema', async () => {
    const outcome = await routerWithSettings().call('logs.recent', { source: 'worker' });
    expect(outcome).toEqual({
      ok: true,
      result: [{ seq: 500, ts: 't', source: 'worker', level: 'info', message: 'm' }],
    });
  });

  it('refuses invalid input with a typed error naming the field, without calling the handler', async () => {
    const router = new Router();
    let called = false;
    router.register({ 'logs.recent': () => ((called = true), []) });
    const outcome = await router.call('logs.recent', { limit: -3 });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.code).toBe('INVALID_INPUT');
    expect(outcome.error.message).toContain('limit');
    expect(outcome.error.hint).not.toBe('');
    expect(called).toBe(false);
  });

  it('refuses unknown fields in strict inputs', async () => {
    const outcome = await routerWithSettings().call('settings.update', {
      temporal: { taskQueue: 'a', bogus: 1 },
    });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.code).toBe('INVALID_INPUT');
  });

  it('answers an unknown operation with UNKNOWN_OPERATION', async () => {
    const outcome = await new Router().call('stack.explode', {});
    expect(outcome).toMatchObject({ ok: false, error: { code: 'UNKNOWN_OPERATION' } });
  });

  it('does not treat inherited object keys as operations', async () => {
    const outcome = await new Router().call('__proto__', {});
    expect(outcome).toMatchObject({ ok: false, error: { code: 'UNKNOWN_OPERATION' } });
  });

  it('answers a declared but unwired operation with NOT_SUPPORTED', async () => {
    const outcome = await new Router().call('app.info', {});
    expect(outcome).toMatchObject({ ok: false, error: { code: 'NOT_SUPPORTED' } });
  });

  it('passes an OpsError from a handler through with its code and hint', async () => {
    const router = new Router();
    router.register({
      'stack.start': () => {
        throw new OpsError('PORT_IN_USE', 'Port 5432 is taken by postgres (pid 12)', 'Use 5433 instead');
      },
    });
    const outcome = await router.call('stack.start', {});
    expect(outcome).toEqual({
      ok: false,
      error: {
        code: 'PORT_IN_USE',
        message: 'Port 5432 is taken by postgres (pid 12)',
        hint: 'Use 5433 instead',
      },
    });
  });

  it('wraps an unexpected handler failure as INTERNAL without throwing', async () => {
    const router = new Router();
    router.register({
      'app.info': () => {
        throw new TypeError('boom');
      },
    });
    const outcome = await router.call('app.info', {});
    expect(outcome).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    if (!outcome.ok) expect(outcome.error.message).toContain('boom');
  });

  it('lets a write guard refuse writes but not reads', async () => {
    const router = routerWithSettings();
    router.setWriteGuard((op) => {
      throw new OpsError('READ_ONLY', `${op} refused: read-only`, 'Unlock the profile first');
    });
    expect(await router.call('settings.update', { theme: 'dark' })).toMatchObject({
      ok: false,
      error: { code: 'READ_ONLY' },
    });
    expect((await router.call('logs.recent', {})).ok).toBe(true);
  });

  it('delivers events to every subscriber even when one throws', () => {
    const router = new Router();
    const seen: string[] = [];
    router.events.subscribe(() => {
      throw new Error('closed socket');
    });
    router.events.subscribe((name) => seen.push(name));
    router.events.emit('log', { seq: 1, ts: 't', source: 's', level: 'info', message: 'hello' });
    expect(seen).toEqual(['log']);
  });
});
