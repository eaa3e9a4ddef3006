// The console's one pool to the app DB, shared by every capability that reads or writes it. It follows the
// stack's address (a profile switch or changed port gives a fresh pool) and survives the database restarting.
import pg from 'pg';

export class AppDbPool {
  private pool: pg.Pool | undefined;
  private poolUrl = '';

  constructor(private readonly url: () => string) {}

  get(): pg.Pool {
    const url = this.url();
    if (!this.pool || this.poolUrl !== url) {
      void this.pool?.end().catch(() => undefined);
      this.pool = new pg.Pool({ connectionString: url, max: 6, idleTimeoutMillis: 30_000 });
      // Idle connections drop when the stack stops or restarts; the next query reconnects.
      this.pool.on('error', () => undefined);
      this.poolUrl = url;
    }
    return this.pool;
  }

  async end(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end().catch(() => undefined);
  }
}
