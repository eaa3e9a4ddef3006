// Several tracking writes sent as one simple query: one round trip for a whole batch instead of one per write.
// A parameterised statement ($1, $2, …) gets its values written in as literals, escaped by pg's own escapeLiteral.
import pg from 'pg';

export type SqlValue = string | number | boolean | null | undefined | Date | readonly string[] | object;

/** A value as an SQL literal: strings quoted and escaped as libpq does, dates as ISO instants, objects as JSON. */
export function literal(value: SqlValue): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return `(${String(value)})`;
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return pg.escapeLiteral(value.toISOString());
  if (Array.isArray(value))
    return value.length ? `ARRAY[${value.map((v) => pg.escapeLiteral(String(v))).join(', ')}]` : `'{}'`;
  if (typeof value === 'string') return pg.escapeLiteral(value);
  return pg.escapeLiteral(JSON.stringify(value));
}

/**
 * A parameterised statement with its values written in, so that several statements go to the server in one simple
 * query. A simple query of several statements is one transaction by itself (unless it says BEGIN/COMMIT).
 */
export function inline(sql: string, params: readonly SqlValue[]): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= params.length) throw new Error(`no value for $${n}`);
    return literal(params[i]!);
  });
}
