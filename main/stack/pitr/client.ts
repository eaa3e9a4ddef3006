// A short session on a cluster's maintenance database, for the checks and settings of a recovery.
import pg from 'pg';
import type { PostgresEndpoint } from '../provider';

export async function withClusterClient<T>(
  endpoint: Pick<PostgresEndpoint, 'host' | 'port' | 'user' | 'password'>,
  work: (c: pg.Client) => Promise<T>,
): Promise<T> {
  const { host, port, user, password } = endpoint;
  const client = new pg.Client({
    host,
    port,
    user,
    password,
    database: 'postgres',
    connectionTimeoutMillis: 5_000,
  });
  // A server shutting down ends the session from its side: that is an answer here, not a crash of the console.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
