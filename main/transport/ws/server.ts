// Browser mode: serves the built renderer and the API over a WebSocket, on 127.0.0.1 only, behind a per-run token.
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Router } from '../../api';
import {
  API_PATH,
  pushEventsPerTask,
  MALFORMED_FRAME,
  readWindowFrame,
  WindowFeed,
  eventsFrameText,
  resultFrame,
  type ServerFrame,
} from '../protocol';
import { hostAllowed, originAllowed, tokensMatch } from './access';
import { answer, MAX_TARGET_LENGTH, serveStatic } from './static-files';

export { tokensMatch };

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

export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? crypto.randomBytes(24).toString('base64url');
  const staticDir = options.staticDir ? path.resolve(options.staticDir) : undefined;
  const log = (message: string) => {
    try {
      options.onLog?.(message);
    } catch {
      // a failing log sink must not take a request down with it
    }
  };
  let port = 0;
  const server = http.createServer((req, res) => {
    try {
      if (!hostAllowed(req.headers.host, port)) {
        log(`refused an HTTP request for host "${String(req.headers.host).slice(0, 100)}"`);
        return answer(res, 403, 'This console answers only to 127.0.0.1 or localhost at its own port.');
      }
      serveStatic(staticDir, req, res);
    } catch (err) {
      // Last resort for one request: log it, answer it, keep serving the others.
      log(`an HTTP request failed unexpectedly: ${(err as Error).stack ?? String(err)}`);
      answer(res, 500, 'The console could not answer this request; see its log.');
    }
  });
  // Requests Node's parser rejects (a NUL or a space in the target, an unknown method, a header too large).
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const status =
      err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const refuse = (status: string, why: string) => {
      log(`refused a connection to the API (${why})`);
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    try {
      if ((req.url ?? '').length > MAX_TARGET_LENGTH) return refuse('414 URI Too Long', 'address too long');
      if (!hostAllowed(req.headers.host, port)) return refuse('403 Forbidden', 'foreign host');
      if (!originAllowed(req.headers.origin, port)) return refuse('401 Unauthorized', 'foreign origin');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== API_PATH) return refuse('404 Not Found', `no API at ${url.pathname}`);
      if (!tokensMatch(token, url.searchParams.get('token')))
        return refuse('401 Unauthorized', 'bad or missing token');
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    } catch (err) {
      refuse('400 Bad Request', `malformed upgrade: ${(err as Error).message}`);
    }
  });

  // Each task's events are serialised once, then each open window's feed sends them when that window needs them.
  const windows = new Set<WindowFeed<string>>();
  const stopEvents = pushEventsPerTask(options.router.events, (events) => {
    if (windows.size === 0) return;
    const texts = events.map((e) => JSON.stringify(e));
    for (const feed of windows) feed.take(events, texts);
  });

  wss.on('connection', (ws: WebSocket) => {
    const send = (frame: ServerFrame) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame), () => undefined);
    };
    const feed = new WindowFeed<string>((texts) => {
      if (ws.readyState === ws.OPEN) ws.send(eventsFrameText(texts), () => undefined);
    });
    windows.add(feed);
    let alive = true;
    ws.on('pong', () => (alive = true));
    const heartbeat = setInterval(() => {
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
    }, 15_000);
    ws.on('close', () => {
      clearInterval(heartbeat);
      windows.delete(feed);
      feed.close();
    });
    ws.on('error', (err) => log(`a WebSocket client failed: ${err.message}`));
    ws.on('message', (data) => void answerFrame(data));
    const answerFrame = async (data: RawData) => {
      const frame = readWindowFrame(data.toString());
      if (!frame) return send(MALFORMED_FRAME);
      if (frame.type === 'focus') {
        feed.focus = new Set(frame.workflowIds);
        return;
      }
      try {
        send(resultFrame(frame.id, await options.router.call(frame.op, frame.input, { via: 'browser' })));
      } catch (err) {
        // A result that cannot be sent (not serialisable, socket gone) is logged and answered, never fatal.
        log(`answering ${frame.op} failed: ${(err as Error).message}`);
        send({
          type: 'result',
          id: frame.id,
          ok: false,
          error: {
            code: 'INTERNAL',
            message: `The console could not send the answer to ${frame.op}.`,
            hint: 'See the log drawer for details; if it repeats, report it with the log.',
          },
        });
      }
    };
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  }).catch((err: unknown) => {
    stopEvents(); // no server, no windows to push to
    throw err;
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        stopEvents();
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
