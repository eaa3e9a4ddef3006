// Resolves settings and secrets into the StackSpec every provider works from.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Settings } from '../api/contract';
import { ensureSecret, type SecretStore } from '../settings';
import type { StackSpec } from './provider';

export const APP_DATABASE = 'synapse_dt';
export const TEMPORAL_DATABASES = ['temporal', 'temporal_visibility'];
export const DB_USER = 'ops';

/**
 * The stack's data folder. Postgres runs as the `postgres` user when the console runs as root, so the
 * folder must be reachable by that user; under a private home (/root is 0700) it moves to /var/lib.
 */
export function stackDataDir(settings: Settings, consoleDataDir: string): string {
  const wanted = settings.stack.dataDir || path.join(consoleDataDir, 'stack');
  if (process.getuid?.() !== 0 || reachableByOthers(wanted)) return path.resolve(wanted);
  const tag = crypto.createHash('sha256').update(path.resolve(wanted)).digest('hex').slice(0, 12);
  return path.join('/var/lib/ops-console', tag);
}

function reachableByOthers(dir: string): boolean {
  let current = path.resolve(dir);
  // Walk up to the first folder that exists; every existing ancestor must be searchable by others.
  const ancestors: string[] = [];
  while (!fs.existsSync(current)) current = path.dirname(current);
  for (let d = current; ; d = path.dirname(d)) {
    ancestors.push(d);
    if (d === path.dirname(d)) break;
  }
  return ancestors.every((d) => (fs.statSync(d).mode & 0o001) !== 0);
}

export function resolveStackSpec(
  settings: Settings,
  secrets: SecretStore,
  consoleDataDir: string,
): StackSpec {
  const [host, portText] = splitHostPort(settings.temporal.host);
  const ports = settings.stack.ports;
  const local = settings.stack.provider !== 'attached';
  return {
    provider: settings.stack.provider,
    dataDir: stackDataDir(settings, consoleDataDir),
    appPostgres: {
      host: '127.0.0.1',
      port: ports.appPostgres,
      user: DB_USER,
      password: ensureSecret(secrets, 'stack.appPostgres.password'),
      databases: [APP_DATABASE],
      database: APP_DATABASE,
    },
    temporalPostgres: {
      host: '127.0.0.1',
      port: ports.temporalPostgres,
      user: DB_USER,
      password: ensureSecret(secrets, 'stack.temporalPostgres.password'),
      databases: TEMPORAL_DATABASES,
    },
    temporal: {
      host: local ? '127.0.0.1' : host,
      port: local ? ports.temporal : Number(portText),
      namespace: settings.temporal.namespace,
      retentionHours: settings.temporal.namespaceRetentionH,
    },
    temporalUi: { enabled: settings.stack.enableUi, port: ports.temporalUi },
  };
}

export function splitHostPort(address: string): [string, string] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at).replace(/^\[|\]$/g, ''), address.slice(at + 1)];
}

export function postgresUrl(
  endpoint: { host: string; port: number; user: string; password: string },
  database: string,
): string {
  return `postgres://${encodeURIComponent(endpoint.user)}:${encodeURIComponent(endpoint.password)}@${endpoint.host}:${endpoint.port}/${database}`;
}
