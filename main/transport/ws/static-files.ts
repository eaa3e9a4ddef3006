// The built renderer over HTTP: every request gets an answer (a file, or a 4xx saying why), none can throw.
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';

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

/** Longer request targets than this are no path of ours (the renderer's longest is under 100 characters). */
export const MAX_TARGET_LENGTH = 2048;

export function answer(res: http.ServerResponse, status: number, text: string, headers = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }).end(`${text}\n`);
}

/**
 * The file a request path names inside the folder, or a reason it names none. Containment is judged by
 * path.relative, so `/static-other/x` next to `/static` is outside, whatever the prefix.
 */
export function resolveStaticPath(
  staticDir: string,
  target: string,
): { file: string } | { status: 400 | 404 | 414; reason: string } {
  if (target.length > MAX_TARGET_LENGTH) return { status: 414, reason: 'The address is too long.' };
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(target, 'http://127.0.0.1').pathname);
  } catch {
    return { status: 400, reason: 'The address has a malformed escape (%).' };
  }
  if (pathname.includes('\0')) return { status: 400, reason: 'The address contains a NUL byte.' };
  const file = path.resolve(staticDir, `.${path.posix.normalize(`/${pathname}`)}`);
  const rel = path.relative(staticDir, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return { status: 404, reason: 'Not found.' };
  return { file };
}

export function serveStatic(
  staticDir: string | undefined,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  if (!staticDir) return answer(res, 404, 'This console serves the API only.');
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return answer(res, 405, `${req.method ?? 'That method'} is not served here.`, { Allow: 'GET, HEAD' });
  const resolved = resolveStaticPath(staticDir, req.url ?? '/');
  if (!('file' in resolved)) return answer(res, resolved.status, resolved.reason);
  let file = resolved.file;
  // Any path that is not a file is the single-page app's own route: serve its index.
  if (!isFile(file)) file = path.join(staticDir, 'index.html');
  if (!isFile(file)) return answer(res, 404, 'The renderer is not built: run npm run build.');
  const stream = fs.createReadStream(file);
  stream.once('error', () => answer(res, 404, 'Not found.'));
  stream.once('open', () => {
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Cache-Control': file.endsWith('index.html') ? 'no-store' : 'public, max-age=31536000, immutable',
    });
    if (req.method === 'HEAD') {
      stream.destroy();
      res.end();
    } else stream.pipe(res);
  });
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
