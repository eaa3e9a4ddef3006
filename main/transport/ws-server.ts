// Browser mode: serves the built renderer and the API over a WebSocket, on 127.0.0.1 only, behind a per-run token.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Router } from '../api/router';
import { API_PATH, CallFrameSchema, type ServerFrame } from './protocol';

export interface BrowserServerOptions {
  router: Router;
  /** Folder of the built renderer; when absent, only the API is served. */
  staticDir?: string;
  port?: number;
  token?: string;
  onLog?: (message: string) => void;
}

export interface BrowserServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self' data:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; object-src 'none'; " +
  "base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

export function tokensMatch(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

function serveStatic(
  staticDir: string | undefined,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  if (!staticDir || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(staticDir ? 405 : 404).end();
    return;
  }
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const rel = path.normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
  let file = path.join(staticDir, rel);
  if (!file.startsWith(staticDir)) {
    res.writeHead(403).end();
    return;
  }
  if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(staticDir, 'index.html');
  if (!fs.existsSync(file)) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('The renderer is not built: run npm run build.');
    return;
  }
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Cache-Control': file.endsWith('index.html') ? 'no-store' : 'public, max-age=31536000, immutable',
  });
  if (req.method === 'HEAD') res.end();
  else fs.createReadStream(file).pipe(res);
}

export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? crypto.randomBytes(24).toString('base64url');
  const staticDir = options.staticDir ? path.resolve(options.staticDir) : undefined;
  const server = http.createServer((req, res) => serveStatic(staticDir, req, res));
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  let port = 0;

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = req.headers.origin;
    const sameOrigin =
      !origin || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    if (url.pathname !== API_PATH || !sameOrigin || !tokensMatch(token, url.searchParams.get('token'))) {
      options.onLog?.(
        `refused a connection to ${url.pathname} (${!sameOrigin ? 'foreign origin' : 'bad or missing token'})`,
      );
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    const send = (frame: ServerFrame) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    const unsubscribe = options.router.events.subscribe((name, payload) =>
      send({ type: 'event', name, payload }),
    );
    let alive = true;
    ws.on('pong', () => (alive = true));
    const heartbeat = setInterval(() => {
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
    }, 15_000);
    ws.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
    ws.on('message', async (data) => {
      let frame;
      try {
        frame = CallFrameSchema.parse(JSON.parse(data.toString()));
      } catch {
        send({
          type: 'result',
          id: -1,
          ok: false,
          error: {
            code: 'INVALID_INPUT',
            message: 'Malformed frame',
            hint: 'Send {type:"call", id, op, input}.',
          },
        });
        return;
      }
      const outcome = await options.router.call(frame.op, frame.input);
      send(
        outcome.ok
          ? { type: 'result', id: frame.id, ok: true, result: outcome.result }
          : { type: 'result', id: frame.id, ok: false, error: outcome.error },
      );
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
