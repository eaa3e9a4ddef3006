// One transaction on a pooled connection: BEGIN, the work, COMMIT; ROLLBACK on any failure; the connection
// always goes back to the pool (dropped instead when even the ROLLBACK failed, so a broken one is not reused).
import type pg from 'pg';

export async function inTransaction<T>(
  pool: Pick<pg.Pool, 'connect'>,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}
