// Browser mode's HTTP server against hostile requests: each gets a 4xx, none stops the server, and the page and
// the API still answer afterwards. Raw sockets, because fetch would clean the requests up before sending them.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsole, type OpsConsole } from '../../../main/console';
import { startBrowserServer, type BrowserServer } from '../../../main/transport';
import { resolveStaticPath } from '../../../main/transport';

let ops: OpsConsole;
let server: BrowserServer;
let home: string;
const logged: string[] = [];

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-http-'));
  fs.mkdirSync(path.join(home, 'static', 'assets'), { recursive: true });
  fs.writeFileSync(path.join(home, 'static', 'index.html'), '<!doctype html><title>ops</title>');
  fs.writeFileSync(path.join(home, 'static', 'assets', 'app.js'), 'console.log(1)');
  // A sibling whose name starts like the static folder's: a prefix test without a separator would let it out.
  fs.mkdirSync(path.join(home, 'static-secrets'));
  fs.writeFileSync(path.join(home, 'static-secrets', 'key.txt'), 'TOP-SECRET');
  ops = createConsole({ mode: 'browser', dataDir: home, env: {} });
  server = await startBrowserServer({
    router: ops.router,
    staticDir: path.join(home, 'static'),
    onLog: (m) => logged.push(m),
  });
});

afterAll(async () => {
  await server.close();
  await ops.shutdown();
  fs.rmSync(home, { recursive: true, force: true });
});

/** Sends bytes as they are and returns the status line's code (0: the server closed without answering). */
function raw(request: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1');
    let data = '';
    socket.on('data', (d) => (data += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, body: data.split('\r\n\r\n').slice(1).join('\r\n\r\n') });
    });
    socket.write(request, 'latin1');
  });
}

const get = (target: string, host = `127.0.0.1:${server.port}`, method = 'GET') =>
  raw(`${method} ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);

function connect(headers: Record<string, string>, token = server.token): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${token}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

async function stillServes(): Promise<void> {
  expect((await get('/')).status).toBe(200);
  const ws = await connect({});
  try {
    const answer = new Promise<Record<string, unknown>>((resolve) =>
      ws.once('message', (d) => resolve(JSON.parse(d.toString()) as Record<string, unknown>)),
    );
    ws.send(JSON.stringify({ type: 'call', id: 7, op: 'app.info', input: {} }));
    expect(await answer).toMatchObject({ id: 7, ok: true, result: { name: 'Ops Console' } });
  } finally {
    ws.close();
  }
}

describe('browser mode HTTP server under hostile requests', () => {
  it('answers malformed escapes, NUL bytes, over-long paths and odd methods with a 4xx and keeps serving', async () => {
    const cases: Array<[string, Promise<{ status: number }>, number]> = [
      ['truncated multi-byte escape', get('/%E0%A4%A'), 400],
      ['lone percent', get('/%'), 400],
      ['bad escape in an asset path', get('/assets/%ZZ'), 400],
      ['escaped NUL', get('/assets/app.js%00.html'), 400],
      ['raw NUL in the request line', get('/a\u0000b'), 400],
      ['over-long path', get(`/${'a'.repeat(5000)}`), 414],
      ['POST', get('/', undefined, 'POST'), 405],
      ['DELETE', get('/index.html', undefined, 'DELETE'), 405],
      ['OPTIONS', get('/', undefined, 'OPTIONS'), 405],
      ['a method Node does not know', get('/', undefined, 'FROBNICATE'), 400],
      ['a request line that is not HTTP', raw('\u0016\u0003\u0001garbage\r\n\r\n'), 400],
    ];
    for (const [what, answer, status] of cases) {
      expect((await answer).status, what).toBe(status);
      await stillServes();
    }
  });

  it('never serves a file outside its folder, whatever the escape', async () => {
    for (const target of [
      '/../static-secrets/key.txt',
      '/..%2fstatic-secrets%2fkey.txt',
      '/%2e%2e/static-secrets/key.txt',
      '/assets/..%2f..%2f..%2fstatic-secrets%2fkey.txt',
      '/..\\static-secrets\\key.txt',
    ]) {
      const answer = await get(target);
      expect(answer.body, target).not.toContain('TOP-SECRET');
      expect(answer.status, target).toBeLessThan(500);
    }
    // Containment is by path.relative: a sibling folder sharing the prefix is outside.
    const dir = path.join(home, 'static');
    expect(resolveStaticPath(dir, '/assets/app.js')).toEqual({ file: path.join(dir, 'assets', 'app.js') });
    expect('file' in resolveStaticPath(dir, '/../static-secrets/key.txt')).toBe(true);
    const inside = resolveStaticPath(dir, '/../static-secrets/key.txt') as { file: string };
    expect(path.relative(dir, inside.file).startsWith('..')).toBe(false);
  });

  it('answers only to a loopback Host at its own port, on HTTP and on the WebSocket', async () => {
    expect((await get('/', `localhost:${server.port}`)).status).toBe(200);
    expect((await get('/', `[::1]:${server.port}`)).status).toBe(200);
    expect((await get('/', 'evil.example')).status).toBe(403);
    expect((await get('/', `evil.example:${server.port}`)).status).toBe(403);
    expect((await get('/', `127.0.0.1:${server.port + 1}`)).status).toBe(403);
    expect((await raw('GET / HTTP/1.0\r\n\r\n')).status).toBe(403); // no Host at all
    await expect(connect({ Host: `rebound.example:${server.port}` })).rejects.toThrow('HTTP 403');
    expect(logged.some((l) => l.includes('foreign host'))).toBe(true);
    await stillServes();
  });

  it('accepts a WebSocket only from its own page: a foreign Origin is refused even with the token', async () => {
    await expect(connect({ Origin: 'http://evil.example' })).rejects.toThrow('HTTP 401');
    await expect(connect({ Origin: `http://127.0.0.1:${server.port + 1}` })).rejects.toThrow('HTTP 401');
    await expect(connect({ Origin: 'null' })).rejects.toThrow('HTTP 401');
    (await connect({ Origin: `http://localhost:${server.port}` })).close();
    (await connect({ Origin: `http://127.0.0.1:${server.port}` })).close();
    await expect(connect({}, 'wrong')).rejects.toThrow('HTTP 401');
  });

  it('answers an operation whose result cannot be sent with a typed error, and keeps the connection', async () => {
    // A handler that returns what JSON cannot carry (a BigInt) stands in for any unexpected failure after
    // the router answered: the transport's last-resort guard logs it and answers with an error.
    ops.router.register({ 'logs.recent': () => [{ big: 10n }] as never });
    const ws = await connect({});
    try {
      const frames: Array<Record<string, unknown>> = [];
      const two = new Promise<void>((resolve) =>
        ws.on('message', (d) => {
          frames.push(JSON.parse(d.toString()) as Record<string, unknown>);
          if (frames.length === 2) resolve();
        }),
      );
      ws.send(JSON.stringify({ type: 'call', id: 1, op: 'logs.recent', input: {} }));
      ws.send(JSON.stringify({ type: 'call', id: 2, op: 'app.info', input: {} }));
      await two;
      expect(frames.find((f) => f.id === 1)).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
      expect(frames.find((f) => f.id === 2)).toMatchObject({ ok: true });
    } finally {
      ws.close();
    }
    expect(logged.some((l) => l.includes('answering logs.recent failed'))).toBe(true);
    await stillServes();
  });
});
