// One query on a stack's app DB over a connection of its own (the tests' direct look at the data).
import pg from 'pg';
import type { StackSpec } from '../../main/stack/provider';

export async function appRows<T>(spec: StackSpec, sql: string): Promise<T[]> {
  const c = new pg.Client({ ...spec.appPostgres, database: spec.appPostgres.database });
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}
