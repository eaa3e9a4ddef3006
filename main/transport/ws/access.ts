// Who may talk to browser mode: the Host header must name this machine's loopback at the bound port (a page
// on another site that re-points its DNS name at 127.0.0.1 is refused), and a WebSocket from a browser must
// come from this console's own page.
import crypto from 'node:crypto';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export function tokensMatch(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** True when the Host header is a loopback name with exactly the port the server is bound to. */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (!host) return false;
  return LOOPBACK_NAMES.some((name) => host.toLowerCase() === `${name}:${port}`);
}

/**
 * True when the Origin is this console's own page. Browsers always send Origin on a WebSocket; a client that
 * is not a browser (the CLI, the tests) sends none and is judged by the token alone.
 */
export function originAllowed(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  return LOOPBACK_NAMES.some((name) => origin.toLowerCase() === `http://${name}:${port}`);
}
