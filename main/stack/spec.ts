// Resolves settings and secrets into the StackSpec every provider works from.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Profile, PostgresProfile, Settings } from '../api';
import { writeFileAtomic, type SecretStore } from '../settings';
import { clusterPassword } from './cluster-passwords';
import type { PostgresEndpoint, StackSpec } from './provider';

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

/** The secret-store key of one of a profile's secrets. */
export const profileSecretKey = (profile: string, secret: string) => `profile.${profile}.${secret}`;

function profileEndpoint(
  pg: PostgresProfile,
  password: string,
  databases: string[],
  caFile: string,
): PostgresEndpoint {
  const endpoint: PostgresEndpoint = { host: pg.host, port: pg.port, user: pg.user, password, databases };
  if (pg.sslmode !== 'disable') {
    endpoint.ssl = { mode: pg.sslmode };
    if (pg.ca) {
      // libpq (pg_dump) and node-postgres both read the CA from a file named in the URL.
      if (!fs.existsSync(caFile) || fs.readFileSync(caFile, 'utf8') !== pg.ca)
        writeFileAtomic(caFile, pg.ca, 0o644);
      endpoint.ssl.ca = pg.ca;
      endpoint.ssl.caFile = caFile;
    }
  }
  return endpoint;
}

/** The spec of an attached profile: every endpoint from the profile, every secret from the store. */
function attachedSpec(
  profile: Profile,
  settings: Settings,
  secrets: SecretStore,
  consoleDataDir: string,
): StackSpec {
  const t = profile.temporal!;
  const app = profile.appPostgres!;
  const [host, portText] = splitHostPort(t.address);
  const secret = (name: string) => secrets.get(profileSecretKey(profile.name, name)) || '';
  const certDir = path.join(consoleDataDir, 'profiles', profile.name);
  const tpg = profile.temporalPostgres;
  const spec: StackSpec = {
    provider: 'attached',
    profile: profile.name,
    dataDir: certDir,
    appPostgres: {
      ...profileEndpoint(
        app,
        secret('appPostgresPassword'),
        [app.database ?? APP_DATABASE],
        path.join(certDir, 'app-postgres-ca.pem'),
      ),
      database: app.database ?? APP_DATABASE,
    },
    temporalPostgres: tpg
      ? profileEndpoint(
          tpg,
          secret('temporalPostgresPassword'),
          TEMPORAL_DATABASES,
          path.join(certDir, 'temporal-postgres-ca.pem'),
        )
      : { host: '', port: 0, user: '', password: '', databases: [] },
    hasTemporalPostgres: Boolean(tpg),
    temporal: {
      host,
      port: Number(portText),
      namespace: t.namespace,
      retentionHours: settings.temporal.namespaceRetentionH,
      taskQueue: t.taskQueue ?? settings.temporal.taskQueue,
    },
    temporalUi: { enabled: false, port: settings.stack.ports.temporalUi },
  };
  if (t.tls.enabled) {
    spec.temporal.tls = {
      serverName: t.tls.serverName || undefined,
      ca: t.tls.ca || undefined,
      clientCert: t.tls.clientCert || undefined,
      clientKey: secret('tlsClientKey') || undefined,
    };
  }
  const apiKey = secret('apiKey');
  if (apiKey) spec.temporal.apiKey = apiKey;
  return spec;
}

export function resolveStackSpec(
  settings: Settings,
  secrets: SecretStore,
  consoleDataDir: string,
  profile?: Profile,
): StackSpec {
  if (profile?.provider === 'attached') return attachedSpec(profile, settings, secrets, consoleDataDir);
  if (profile) settings = { ...settings, stack: { ...settings.stack, provider: profile.provider } };
  const [host, portText] = splitHostPort(settings.temporal.host);
  const ports = settings.stack.ports;
  const local = settings.stack.provider !== 'attached';
  const dataDir = stackDataDir(settings, consoleDataDir);
  const lostSecrets: NonNullable<StackSpec['lostSecrets']> = [];
  const password = (cluster: 'app-postgres' | 'temporal-postgres', name: string) => {
    const found = clusterPassword(secrets, consoleDataDir, name, cluster, {
      provider: settings.stack.provider,
      stackDataDir: dataDir,
    });
    if ('lost' in found) lostSecrets.push({ name, cluster, sealed: found.sealed });
    return 'value' in found ? found.value : '';
  };
  const appPassword = password('app-postgres', 'stack.appPostgres.password');
  const temporalPassword = password('temporal-postgres', 'stack.temporalPostgres.password');
  return {
    provider: settings.stack.provider,
    dataDir,
    ...(lostSecrets.length ? { lostSecrets } : {}),
    appPostgres: {
      host: '127.0.0.1',
      port: ports.appPostgres,
      user: DB_USER,
      password: appPassword,
      databases: [APP_DATABASE],
      database: APP_DATABASE,
    },
    temporalPostgres: {
      host: '127.0.0.1',
      port: ports.temporalPostgres,
      user: DB_USER,
      password: temporalPassword,
      databases: TEMPORAL_DATABASES,
    },
    temporal: {
      host: local ? '127.0.0.1' : host,
      port: local ? ports.temporal : Number(portText),
      namespace: settings.temporal.namespace,
      retentionHours: settings.temporal.namespaceRetentionH,
      taskQueue: settings.temporal.taskQueue,
    },
    temporalUi: { enabled: settings.stack.enableUi, port: ports.temporalUi },
    ...(profile ? { profile: profile.name } : {}),
  };
}

export function splitHostPort(address: string): [string, string] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at).replace(/^\[|\]$/g, ''), address.slice(at + 1)];
}

export function postgresUrl(
  endpoint: { host: string; port: number; user: string; password: string; ssl?: PostgresEndpoint['ssl'] },
  database: string,
): string {
  const base = `postgres://${encodeURIComponent(endpoint.user)}:${encodeURIComponent(endpoint.password)}@${endpoint.host}:${endpoint.port}/${database}`;
  const ssl = endpoint.ssl;
  if (!ssl || ssl.mode === 'disable') return base;
  const params = new URLSearchParams({ sslmode: ssl.mode });
  if (ssl.caFile) params.set('sslrootcert', ssl.caFile);
  // node-postgres reads require/verify-ca as verify-full unless asked for libpq's meaning.
  if (ssl.mode !== 'verify-full') params.set('uselibpqcompat', 'true');
  return `${base}?${params.toString()}`;
}
