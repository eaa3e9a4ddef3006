// What the audit trail may write down, and how a profile's sslmode reaches libpq and node-postgres.
import { describe, expect, it } from 'vitest';
import { redact } from '../../../main/audit/store';
import { postgresUrl } from '../../../main/stack/spec';
import { pgClientConfig, temporalConnectionOptions } from '../../../main/stack/connect';
import type { StackSpec } from '../../../main/stack/provider';

describe('audit redaction', () => {
  it('replaces secrets, private keys and certificates, and shortens long values', () => {
    const out = redact({
      profile: { name: 'p', temporal: { tls: { ca: '-----BEGIN CERTIFICATE-----\nabc', clientCert: 'x' } } },
      secrets: { appPostgresPassword: 'hunter2', tlsClientKey: 'k' },
      password: 'pw',
      apiKey: 'key',
      note: '-----BEGIN PRIVATE KEY-----\nsecret',
      reason: 'r'.repeat(500),
      ids: Array.from({ length: 30 }, (_, i) => i),
    }) as Record<string, unknown>;
    const text = JSON.stringify(out);
    for (const secret of ['hunter2', '"pw"', '"key"', 'BEGIN PRIVATE KEY', 'BEGIN CERTIFICATE'])
      expect(text).not.toContain(secret);
    expect(out.secrets).toEqual({ appPostgresPassword: '[redacted]', tlsClientKey: '[redacted]' });
    expect(String(out.reason)).toMatch(/… \(500 chars\)$/);
    expect((out.ids as unknown[]).at(-1)).toBe('… 10 more');
  });
});

describe('connections from a profile', () => {
  const ep = { host: 'db.internal', port: 5432, user: 'ops', password: 'p@ss', databases: ['app'] };

  it('puts sslmode and the CA file in the URL (libpq and node-postgres read both)', () => {
    expect(postgresUrl(ep, 'app')).toBe('postgres://ops:p%40ss@db.internal:5432/app');
    expect(postgresUrl({ ...ep, ssl: { mode: 'verify-full', caFile: '/x/ca.pem' } }, 'app')).toBe(
      'postgres://ops:p%40ss@db.internal:5432/app?sslmode=verify-full&sslrootcert=%2Fx%2Fca.pem',
    );
    expect(postgresUrl({ ...ep, ssl: { mode: 'require' } }, 'app')).toContain(
      'sslmode=require&uselibpqcompat=true',
    );
  });

  it('maps sslmode to node TLS options as libpq means them', () => {
    expect(pgClientConfig(ep, 'app').ssl).toBeUndefined();
    expect(pgClientConfig({ ...ep, ssl: { mode: 'require' } }, 'app').ssl).toEqual({
      rejectUnauthorized: false,
    });
    const full = pgClientConfig({ ...ep, ssl: { mode: 'verify-full', ca: 'CA' } }, 'app').ssl as Record<
      string,
      unknown
    >;
    expect(full).toMatchObject({ ca: 'CA', rejectUnauthorized: true });
    expect(full.checkServerIdentity).toBeUndefined();
    const ca = pgClientConfig({ ...ep, ssl: { mode: 'verify-ca', ca: 'CA' } }, 'app').ssl as Record<
      string,
      unknown
    >;
    expect(typeof ca.checkServerIdentity).toBe('function');
  });

  it('gives Temporal the CA, the client pair, the server name and the API key', () => {
    const spec = {
      temporal: {
        host: 't.example',
        port: 7233,
        namespace: 'n',
        retentionHours: 24,
        tls: { serverName: 'frontend', ca: 'CA', clientCert: 'CRT', clientKey: 'KEY' },
        apiKey: 'k',
      },
    } as unknown as StackSpec;
    const options = temporalConnectionOptions(spec);
    expect(options.address).toBe('t.example:7233');
    expect(options.apiKey).toBe('k');
    expect(options.tls).toMatchObject({ serverNameOverride: 'frontend' });
    const tls = options.tls as {
      serverRootCACertificate: Buffer;
      clientCertPair: { crt: Buffer; key: Buffer };
    };
    expect(tls.serverRootCACertificate.toString()).toBe('CA');
    expect(tls.clientCertPair.key.toString()).toBe('KEY');
  });
});
