// The profile editor's draft: every field as typed (ports as text), to and from a profile, and the operator's
// name for each field (its path in profiles.save's input, for the form's messages).
import type { Profile, ProfileSecrets, SslMode } from '../../../../main/api/contract';

export interface Draft {
  name: string;
  provider: Profile['provider'];
  production: boolean;
  description: string;
  address: string;
  namespace: string;
  taskQueue: string;
  webUiUrl: string;
  tls: boolean;
  serverName: string;
  ca: string;
  clientCert: string;
  appHost: string;
  appPort: string;
  appDb: string;
  appUser: string;
  appSslmode: SslMode;
  appCa: string;
  tHost: string;
  tPort: string;
  tUser: string;
  tSslmode: SslMode;
  tCa: string;
  secrets: ProfileSecrets;
}

export const EMPTY: Draft = {
  name: '',
  provider: 'attached',
  production: false,
  description: '',
  address: '',
  namespace: 'default',
  taskQueue: '',
  webUiUrl: '',
  tls: false,
  serverName: '',
  ca: '',
  clientCert: '',
  appHost: '',
  appPort: '5432',
  appDb: 'synapse_dt',
  appUser: 'ops',
  appSslmode: 'verify-full',
  appCa: '',
  tHost: '',
  tPort: '5432',
  tUser: 'ops',
  tSslmode: 'verify-full',
  tCa: '',
  secrets: {},
};

export function fromProfile(p: Profile): Draft {
  return {
    ...EMPTY,
    name: p.name,
    provider: p.provider,
    production: p.production,
    description: p.description ?? '',
    address: p.temporal?.address ?? '',
    namespace: p.temporal?.namespace ?? 'default',
    taskQueue: p.temporal?.taskQueue ?? '',
    webUiUrl: p.temporal?.webUiUrl ?? '',
    tls: p.temporal?.tls.enabled ?? false,
    serverName: p.temporal?.tls.serverName ?? '',
    ca: p.temporal?.tls.ca ?? '',
    clientCert: p.temporal?.tls.clientCert ?? '',
    appHost: p.appPostgres?.host ?? '',
    appPort: String(p.appPostgres?.port ?? 5432),
    appDb: p.appPostgres?.database ?? 'synapse_dt',
    appUser: p.appPostgres?.user ?? 'ops',
    appSslmode: p.appPostgres?.sslmode ?? 'verify-full',
    appCa: p.appPostgres?.ca ?? '',
    tHost: p.temporalPostgres?.host ?? '',
    tPort: String(p.temporalPostgres?.port ?? 5432),
    tUser: p.temporalPostgres?.user ?? 'ops',
    tSslmode: p.temporalPostgres?.sslmode ?? 'verify-full',
    tCa: p.temporalPostgres?.ca ?? '',
  };
}

/** Where each field of the draft lands in profiles.save's input, and what the operator calls it. */
export const FIELD_PATHS: Partial<Record<keyof Draft, [string, string]>> = {
  name: ['profile.name', 'Name'],
  description: ['profile.description', 'Description'],
  address: ['profile.temporal.address', 'Temporal address'],
  namespace: ['profile.temporal.namespace', 'Namespace'],
  taskQueue: ['profile.temporal.taskQueue', 'Task queue'],
  serverName: ['profile.temporal.tls.serverName', 'Server name'],
  ca: ['profile.temporal.tls.ca', 'Server CA'],
  clientCert: ['profile.temporal.tls.clientCert', 'Client certificate'],
  appHost: ['profile.appPostgres.host', 'App database host'],
  appPort: ['profile.appPostgres.port', 'App database port'],
  appDb: ['profile.appPostgres.database', 'App database name'],
  appUser: ['profile.appPostgres.user', 'App database user'],
  appCa: ['profile.appPostgres.ca', 'App database server CA'],
  tHost: ['profile.temporalPostgres.host', 'Temporal database host'],
  tPort: ['profile.temporalPostgres.port', 'Temporal database port'],
  tUser: ['profile.temporalPostgres.user', 'Temporal database user'],
  tCa: ['profile.temporalPostgres.ca', 'Temporal database server CA'],
};
export const SECRET_LABELS: Record<keyof ProfileSecrets, string> = {
  appPostgresPassword: 'App database password',
  temporalPostgresPassword: 'Temporal database password',
  tlsClientKey: 'Client key',
  apiKey: 'API key',
};

/** A port as typed: empty is absent (the schema says it is required), anything else a number or NaN. */
const portOf = (text: string) => (text.trim() === '' ? (undefined as unknown as number) : Number(text));

export function toProfile(d: Draft): Profile {
  const p: Profile = { name: d.name, provider: d.provider, production: d.production };
  if (d.description) p.description = d.description;
  if (d.provider !== 'attached') return p;
  p.temporal = {
    address: d.address,
    namespace: d.namespace,
    ...(d.taskQueue ? { taskQueue: d.taskQueue } : {}),
    ...(d.webUiUrl ? { webUiUrl: d.webUiUrl } : {}),
    tls: {
      enabled: d.tls,
      ...(d.serverName ? { serverName: d.serverName } : {}),
      ...(d.ca ? { ca: d.ca } : {}),
      ...(d.clientCert ? { clientCert: d.clientCert } : {}),
    },
  };
  p.appPostgres = {
    host: d.appHost,
    port: portOf(d.appPort),
    database: d.appDb,
    user: d.appUser,
    sslmode: d.appSslmode,
    ...(d.appCa ? { ca: d.appCa } : {}),
  };
  if (d.tHost)
    p.temporalPostgres = {
      host: d.tHost,
      port: portOf(d.tPort),
      user: d.tUser,
      sslmode: d.tSslmode,
      ...(d.tCa ? { ca: d.tCa } : {}),
    };
  return p;
}

export const SSL_MODES: SslMode[] = ['disable', 'require', 'verify-ca', 'verify-full'];
