import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsole, type OpsConsole } from '../../../main/console';
import { startBrowserServer, type BrowserServer } from '../../../main/transport';

let ops: OpsConsole;
let server: BrowserServer;
let home: string;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-ws-'));
  fs.mkdirSync(path.join(home, 'static'));
  fs.writeFileSync(path.join(home, 'static', 'index.html'), '<!doctype html><title>ops</title>');
  ops = createConsole({ mode: 'browser', dataDir: home, env: {} });
  server = await startBrowserServer({ router: ops.router, staticDir: path.join(home, 'static') });
});

afterAll(async () => {
  await server.close();
  await ops.shutdown();
  fs.rmSync(home, { recursive: true, force: true });
});

function connect(query: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api${query}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** The first pushed event named `name`: events come in frames of one turn of the console's loop each. */
async function nextEvent(ws: WebSocket, name: string): Promise<{ name: string; payload: unknown }> {
  const named = (f: Record<string, unknown>) =>
    f.type === 'events'
      ? (f.events as Array<{ name: string; payload: unknown }>).find((e) => e.name === name)
      : undefined;
  return named(await nextFrame(ws, (f) => named(f) !== undefined))!;
}

function nextFrame(
  ws: WebSocket,
  predicate: (frame: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      if (predicate(frame)) {
        ws.off('message', onMessage);
        resolve(frame);
      }
    };
    ws.on('message', onMessage);
  });
}

describe('WebSocket transport', () => {
  it('listens on 127.0.0.1 only and prints a URL carrying the token', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=`));
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses a connection without a token', async () => {
    await expect(connect('')).rejects.toThrow('HTTP 401');
  });

  it('refuses a connection with a wrong token', async () => {
    await expect(connect(`?token=${'x'.repeat(server.token.length)}`)).rejects.toThrow('HTTP 401');
  });

  it('refuses a connection from a foreign origin even with the token', async () => {
    await expect(connect(`?token=${server.token}`, { Origin: 'http://evil.example' })).rejects.toThrow(
      'HTTP 401',
    );
  });

  it('round-trips a call and pushes events to a client with the token', async () => {
    const ws = await connect(`?token=${server.token}`, { Origin: `http://127.0.0.1:${server.port}` });
    try {
      ws.send(JSON.stringify({ type: 'call', id: 1, op: 'app.info', input: {} }));
      const info = await nextFrame(ws, (f) => f.id === 1);
      expect(info).toMatchObject({
        ok: true,
        result: { name: 'Ops Console', mode: 'browser', dataDir: home },
      });

      const event = nextEvent(ws, 'settings.changed');
      const log = nextEvent(ws, 'log');
      ws.send(
        JSON.stringify({
          type: 'call',
          id: 2,
          op: 'settings.update',
          input: { temporal: { taskQueue: 'ws-q' } },
        }),
      );
      expect(await nextFrame(ws, (f) => f.id === 2)).toMatchObject({ ok: true });
      expect(await event).toMatchObject({ payload: { settings: { temporal: { taskQueue: 'ws-q' } } } });
      expect(await log).toMatchObject({ payload: { source: 'console', message: 'settings saved' } });

      ws.send(
        JSON.stringify({
          type: 'call',
          id: 3,
          op: 'settings.update',
          input: { temporal: { host: 'no port' } },
        }),
      );
      expect(await nextFrame(ws, (f) => f.id === 3)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT' },
      });
      ws.send('not json');
      expect(await nextFrame(ws, (f) => f.id === -1)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT' },
      });
    } finally {
      ws.close();
    }
  });

  it("pushes one turn's events to every open window as the same frame, and goes on after one closes", async () => {
    const origin = { Origin: `http://127.0.0.1:${server.port}` };
    const windows = await Promise.all([1, 2, 3].map(() => connect(`?token=${server.token}`, origin)));
    const [a, b, c] = windows as [WebSocket, WebSocket, WebSocket];
    try {
      const isTurn = (f: Record<string, unknown>) =>
        f.type === 'events' && JSON.stringify(f).includes('"taskQueue":"shared-q"');
      const seen = [a, b, c].map((ws) => nextFrame(ws, isTurn));
      ops.router.events.emit('log', {
        seq: 0,
        ts: '',
        source: 'console',
        level: 'info',
        message: 'one turn',
      });
      ops.settings.update({ temporal: { taskQueue: 'shared-q' } });
      ops.router.events.emit('settings.changed', ops.settings.view());
      const frames = await Promise.all(seen);
      expect(frames[0]).toEqual(frames[1]);
      expect(frames[1]).toEqual(frames[2]);
      // Both events of the turn, in the order they were raised, in one frame.
      const names = (frames[0]!.events as Array<{ name: string }>).map((e) => e.name);
      expect(names.indexOf('log')).toBeLessThan(names.indexOf('settings.changed'));
      // A window that closes leaves the others their events.
      await new Promise((resolve) => {
        a.once('close', resolve);
        a.close();
      });
      const next = [b, c].map((ws) => nextEvent(ws, 'settings.changed'));
      ops.router.events.emit('settings.changed', ops.settings.view());
      for (const event of await Promise.all(next)) expect(event).toMatchObject({ name: 'settings.changed' });
    } finally {
      for (const ws of [a, b, c]) ws.close();
    }
  });

  it("sends a window its open cycle's progress at once, with what it held in front; others get it a moment later", async () => {
    const origin = { Origin: `http://127.0.0.1:${server.port}` };
    const [watching, other] = await Promise.all([1, 2].map(() => connect(`?token=${server.token}`, origin)));
    try {
      watching!.send(JSON.stringify({ type: 'focus', workflowIds: ['cycle-x'] }));
      // A focus that is not one is refused like any malformed frame, and changes nothing.
      watching!.send(JSON.stringify({ type: 'focus', workflowIds: 'cycle-y' }));
      expect(await nextFrame(watching!, (f) => f.id === -1)).toMatchObject({
        error: { code: 'INVALID_INPUT' },
      });
      const progress = (workflowId: string) => ({
        workflowId,
        table: 'workflow_phases',
        kind: 'phase:completed',
        at: '',
      });
      const order: string[] = [];
      const carriesX = (f: Record<string, unknown>) =>
        f.type === 'events' && JSON.stringify(f).includes('cycle-x');
      const frames = [watching!, other!].map((ws, i) =>
        nextFrame(ws, carriesX).then((f) => {
          order.push(i === 0 ? 'watching' : 'other');
          return (f.events as Array<{ payload: { workflowId: string } }>).map((e) => e.payload.workflowId);
        }),
      );
      ops.router.events.emit('workflow.progress', progress('cycle-y'));
      await new Promise((resolve) => setImmediate(resolve));
      ops.router.events.emit('workflow.progress', progress('cycle-x'));
      const [seenByWatching, seenByOther] = await Promise.all(frames);
      // Both in the order raised, in one frame; the watching window first (the other's waited to travel together).
      expect(seenByWatching).toEqual(['cycle-y', 'cycle-x']);
      expect(seenByOther).toEqual(['cycle-y', 'cycle-x']);
      expect(order).toEqual(['watching', 'other']);
    } finally {
      for (const ws of [watching, other]) ws!.close();
    }
  });

  it('serves the renderer with a strict CSP and never files outside its folder', async () => {
    const index = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    const escape = await fetch(`http://127.0.0.1:${server.port}/..%2f..%2fetc%2fpasswd`);
    expect(await escape.text()).not.toContain('root:');
  });
});
