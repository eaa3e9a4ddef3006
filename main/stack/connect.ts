// How the console reaches a stack's services with the TLS a profile asks for, and what a failed connection
// means in words an operator can act on (wrong CA, wrong client certificate, bad password).
import tls from 'node:tls';
import type pg from 'pg';
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import {
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type ConnectionOptions,
} from '@temporalio/client';
import { OpsError } from '../api';
import type { PostgresEndpoint, StackSpec } from './provider';

/** node-postgres client options for an endpoint, with its sslmode applied as libpq would. */
export function pgClientConfig(ep: PostgresEndpoint, database: string): pg.ClientConfig {
  const config: pg.ClientConfig = {
    host: ep.host,
    port: ep.port,
    user: ep.user,
    password: ep.password,
    database,
    connectionTimeoutMillis: 3_000,
  };
  const ssl = ep.ssl;
  if (ssl && ssl.mode !== 'disable') {
    config.ssl =
      ssl.mode === 'require'
        ? { rejectUnauthorized: false }
        : {
            ca: ssl.ca,
            rejectUnauthorized: true,
            ...(ssl.mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
          };
  }
  return config;
}

export const temporalAddress = (spec: StackSpec) => `${spec.temporal.host}:${spec.temporal.port}`;

/** Options for Connection.connect (client) with the profile's TLS and API key. */
export function temporalConnectionOptions(spec: StackSpec): ConnectionOptions {
  const options: ConnectionOptions = { address: temporalAddress(spec) };
  const tls = spec.temporal.tls;
  if (tls) {
    options.tls = {
      ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
      ...(tls.ca ? { serverRootCACertificate: Buffer.from(tls.ca) } : {}),
      ...(tls.clientCert && tls.clientKey
        ? { clientCertPair: { crt: Buffer.from(tls.clientCert), key: Buffer.from(tls.clientKey) } }
        : {}),
    };
  }
  if (spec.temporal.apiKey) {
    options.apiKey = spec.temporal.apiKey;
    options.tls ??= {};
  }
  return options;
}

/**
 * The longest any call the console makes to Temporal may take when its caller set no deadline. Temporal answers a
 * long poll within about 20 s; a call still unanswered after this is stuck (an oversized request can leave the
 * frontend's answer unread), and the operator gets an error instead of a page that waits for ever.
 */
export const TEMPORAL_CALL_DEADLINE_MS = 60_000;

/** Gives every call without a deadline one of `ms` (a caller's own deadline, from withDeadline, is kept). */
export function defaultDeadline(ms: number): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options.deadline ? options : { ...options, deadline: Date.now() + ms }));
}

/**
 * A Temporal connection that can be closed while a call waits to retry. The SDK retries an unavailable call from a
 * timer; if the channel is closed in between, that timer starts the next attempt on the closed channel and throws
 * "Channel has been shut down" outside any caller. Here closing stops further retries at once and closes the
 * channel only after the last scheduled attempt has started.
 */
export function lazyTemporalConnection(
  options: ConnectionOptions,
  callDeadlineMs = TEMPORAL_CALL_DEADLINE_MS,
): Connection {
  const retry = defaultGrpcRetryOptions();
  let closing = false;
  let lastAttemptAt = 0;
  const connection = Connection.lazy({
    ...options,
    interceptors: [
      // Outermost, so the retries of one call share its deadline.
      defaultDeadline(callDeadlineMs),
      makeGrpcRetryInterceptor({
        retryableDecider: (attempt, status) => !closing && retry.retryableDecider(attempt, status),
        delayFunction: (attempt, status) => {
          const ms = retry.delayFunction(attempt, status);
          lastAttemptAt = Math.max(lastAttemptAt, Date.now() + ms);
          return ms;
        },
      }),
      ...(options.interceptors ?? []),
    ],
  });
  const close = connection.close.bind(connection);
  connection.close = async () => {
    closing = true;
    const wait = lastAttemptAt - Date.now();
    if (wait <= 0) return close();
    setTimeout(() => void close(), wait + 50).unref();
  };
  return connection;
}

/** Connection.connect, closable at any time (see lazyTemporalConnection). */
export async function connectTemporal(options: ConnectionOptions): Promise<Connection> {
  const connection = lazyTemporalConnection(options);
  try {
    await connection.ensureConnected();
  } catch (err) {
    await connection.close();
    throw err;
  }
  return connection;
}

/**
 * One short exchange with a Temporal frontend on a channel of its own, without retries, given up after `ms`: the
 * probe for "does it answer yet". Connection.connect waits for its channel, and after a refused connection gRPC
 * tries again only a second later, which cost a second on every start.
 */
export async function probeTemporal<T>(
  options: ConnectionOptions,
  exchange: (connection: Connection) => Promise<T>,
  ms = 1_000,
): Promise<T> {
  const connection = Connection.lazy({ ...options, interceptors: [] });
  try {
    return await connection.withDeadline(Date.now() + ms, () => exchange(connection));
  } finally {
    await connection.close(); // no retry can be pending: there is no retry interceptor
  }
}

function chain(err: unknown): string {
  const parts: string[] = [];
  for (
    let e = err as { message?: string; cause?: unknown; details?: string } | undefined;
    e;
    e = e.cause as typeof e
  ) {
    if (e.message) parts.push(e.message);
    if (e.details && !parts.includes(e.details)) parts.push(e.details);
    if (parts.length > 6) break;
  }
  return parts.join(' <- ') || String(err);
}

/** Turns a failed Temporal connection into a precise error. */
export function explainTemporalError(err: unknown, spec: StackSpec): OpsError {
  const address = temporalAddress(spec);
  const text = chain(err);
  const lower = text.toLowerCase();
  const profile = spec.profile ? ` (profile ${spec.profile})` : '';
  if (
    /certificate verify failed|self.signed|unable to (get|verify)|unknown ca|invalid peer certificate|unknownissuer|bad ?signature/.test(
      lower,
    ) &&
    !/alert|certificate required|bad certificate/.test(lower)
  )
    return new OpsError(
      'UNAVAILABLE',
      `Temporal at ${address}${profile}: the server's TLS certificate is not signed by the CA in the profile (${text}).`,
      'Paste the CA that signed the server certificate into the profile (Temporal → TLS → server CA).',
      { reason: 'wrong-ca' },
    );
  if (
    /certificate required|bad certificate|unknown ca|alert|handshake|decrypt error|certificate unknown/.test(
      lower,
    ) &&
    spec.temporal.tls
  )
    return new OpsError(
      'UNAUTHORIZED',
      `Temporal at ${address}${profile} refused the TLS handshake: it does not accept the client certificate (${text}).`,
      'Use a client certificate (and key) signed by the CA the server trusts for clients.',
      { reason: 'client-certificate' },
    );
  if (/name|altname|hostname|does not match/.test(lower) && /cert/.test(lower))
    return new OpsError(
      'UNAVAILABLE',
      `Temporal at ${address}${profile}: the server certificate is for another name (${text}).`,
      'Set the TLS server name in the profile to a name the certificate holds.',
      { reason: 'server-name' },
    );
  return new OpsError(
    'UNAVAILABLE',
    `Temporal at ${address}${profile} does not answer: ${text}`,
    spec.provider === 'attached'
      ? 'Check the address, the TLS settings and that the cluster is up (Profiles → Test connection).'
      : 'Start the stack (Stack page or `ops-console stack up`) and try again.',
    { reason: 'unreachable' },
  );
}

/** Turns a failed Postgres connection into a precise error. */
export function explainPostgresError(err: unknown, ep: PostgresEndpoint, label: string): OpsError {
  const e = err as { code?: string; message?: string };
  const text = chain(err);
  const where = `${label} at ${ep.host}:${ep.port}`;
  if (e.code === '28P01' || /password authentication failed/i.test(text))
    return new OpsError(
      'UNAUTHORIZED',
      `${where}: password authentication failed for user "${ep.user}".`,
      'Enter the right password for that user in the profile (it is kept in the secret store).',
      { reason: 'password' },
    );
  if (e.code === '28000' && /no pg_hba|SSL off|no encryption/i.test(text))
    return new OpsError(
      'UNAUTHORIZED',
      `${where} requires SSL for user "${ep.user}" (${text}).`,
      'Set sslmode to require, verify-ca or verify-full in the profile.',
      { reason: 'ssl-required' },
    );
  if (
    /self.signed|unable to (get|verify)|certificate verify|UNABLE_TO_VERIFY|SELF_SIGNED/i.test(
      text + (e.code ?? ''),
    )
  )
    return new OpsError(
      'UNAVAILABLE',
      `${where}: the server's certificate is not signed by the CA in the profile (${text}).`,
      'Paste the CA that signed the server certificate into the profile, or check that sslmode matches the server.',
      { reason: 'wrong-ca' },
    );
  if (/Hostname\/IP does not match|altnames/i.test(text))
    return new OpsError(
      'UNAVAILABLE',
      `${where}: the server certificate does not name ${ep.host} (${text}).`,
      'Connect with a host name the certificate holds, or use sslmode verify-ca.',
      { reason: 'server-name' },
    );
  if (/does not support SSL/i.test(text))
    return new OpsError(
      'UNAVAILABLE',
      `${where} does not offer SSL, but the profile's sslmode asks for it.`,
      'Set sslmode to disable, or turn ssl on at the server.',
      { reason: 'no-ssl' },
    );
  return new OpsError('UNAVAILABLE', `${where}: ${text}`, 'Check the host, port and that the server is up.', {
    reason: 'unreachable',
  });
}

/**
 * gRPC only says "failed to connect before the deadline" when TLS goes wrong; a direct handshake with the same
 * CA, client certificate and server name tells which side refused. Resolves to the TLS error, or undefined.
 */
export function probeTls(spec: StackSpec, timeoutMs = 3_000): Promise<Error | undefined> {
  const t = spec.temporal.tls ?? {};
  return new Promise((resolve) => {
    let settled = false;
    const done = (err: Error | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(err);
    };
    const socket = tls.connect({
      host: spec.temporal.host,
      port: spec.temporal.port,
      servername: t.serverName || (/^[\d.]+$|:/.test(spec.temporal.host) ? undefined : spec.temporal.host),
      ...(t.ca ? { ca: t.ca } : {}),
      ...(t.clientCert && t.clientKey ? { cert: t.clientCert, key: t.clientKey } : {}),
      ALPNProtocols: ['h2'],
      ...(t.serverName
        ? {
            checkServerIdentity: (_host: string, cert: tls.PeerCertificate) =>
              tls.checkServerIdentity(t.serverName!, cert),
          }
        : {}),
    });
    // In TLS 1.3 the server judges the client certificate after the handshake: its alert arrives on the first read.
    socket.once('secureConnect', () => {
      socket.write(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
      setTimeout(() => done(undefined), 700);
    });
    socket.on('data', () => undefined);
    socket.once('error', (err) => done(err));
    socket.once('close', () => done(undefined));
    const timer = setTimeout(() => done(undefined), timeoutMs);
  });
}

/** explainTemporalError, with a TLS handshake probe to name the cause when gRPC gives none. */
export async function diagnoseTemporalError(err: unknown, spec: StackSpec): Promise<OpsError> {
  const first = explainTemporalError(err, spec);
  const reason = (first.details as { reason?: string } | undefined)?.reason;
  if (reason !== 'unreachable' || !(spec.temporal.tls || spec.temporal.apiKey)) return first;
  const tlsError = await probeTls(spec);
  if (!tlsError) return first;
  const code = (tlsError as { code?: string }).code ?? '';
  return explainTemporalError(new Error(`${tlsError.message}${code ? ` (${code})` : ''}`), spec);
}
