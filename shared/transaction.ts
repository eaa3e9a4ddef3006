// Work on a pooled connection: ROLLBACK on any failure (the work may have left a transaction of its own open); the
// connection always goes back to the pool (dropped instead when even the ROLLBACK failed, so a broken one is not
// reused). inTransaction: the work in one transaction, BEGIN … COMMIT.
import type pg from 'pg';

export async function onConnection<T>(
  pool: Pick<pg.Pool, 'connect'>,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    return await work(client);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}

export function inTransaction<T>(
  pool: Pick<pg.Pool, 'connect'>,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  return onConnection(pool, async (client) => {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  });
}
