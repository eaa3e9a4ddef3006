// The stack's own databases always take connections when the stack starts: a restore closes them to new sessions
// for the moment of its swap, and a console killed in that moment must not leave them closed.
import type pg from 'pg';

/** Lets sessions into each of these databases that refuses them; returns the ones it opened. */
export async function reopenDatabases(client: pg.Client, names: string[]): Promise<string[]> {
  const { rows } = await client.query<{ datname: string }>(
    'SELECT datname FROM pg_database WHERE datname = ANY($1) AND NOT datallowconn',
    [names],
  );
  for (const r of rows)
    await client.query(`ALTER DATABASE "${r.datname.replace(/"/g, '""')}" ALLOW_CONNECTIONS true`);
  return rows.map((r) => r.datname);
}
