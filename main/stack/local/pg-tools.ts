// pg_dump, pg_restore and psql with the binaries on this machine (the local and attached providers).
import { spawn } from 'node:child_process';
import path from 'node:path';
import {
  cancelled,
  failure,
  sslEnv,
  stderrSink,
  withListFile,
  type PgTools,
  type RestoreOnly,
  type ServerPipes,
  type ToolConnection,
  type ToolRun,
} from '../pg-tools';

export class LocalTools implements PgTools {
  constructor(
    private readonly bin: { pgDump: string; pgRestore: string; psql: string },
    private readonly conn: ToolConnection,
    /** Given by the local provider only: its servers run on this machine. */
    readonly serverPipes?: ServerPipes,
  ) {}

  private connArgs(database: string): string[] {
    return ['-h', this.conn.host, '-p', String(this.conn.port), '-U', this.conn.user, '-d', database];
  }

  private run(tool: string, args: string[], run: ToolRun): Promise<void> {
    if (run.signal?.aborted) return Promise.reject(cancelled());
    return new Promise((resolve, reject) => {
      const child = spawn(tool, args, {
        env: {
          ...process.env,
          PGPASSWORD: this.conn.password,
          PGCONNECT_TIMEOUT: '5',
          ...sslEnv(this.conn),
          ...run.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const onAbort = () => child.kill('SIGTERM');
      run.signal?.addEventListener('abort', onAbort, { once: true });
      const err = stderrSink(run);
      child.stdout.on('data', (c: Buffer) => run.onStdout?.(c));
      child.stderr.on('data', (c: Buffer) => err.write(c.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        run.signal?.removeEventListener('abort', onAbort);
        if (run.signal?.aborted) reject(cancelled());
        else if (code !== 0) reject(failure(path.basename(tool), code, err.tail()));
        else resolve();
      });
    });
  }

  dump(database: string, dir: string, args: string[], run: ToolRun): Promise<void> {
    return this.run(this.bin.pgDump, [...this.connArgs(database), ...args, '-f', dir], run);
  }

  restore(
    database: string,
    dir: string,
    args: string[],
    run: ToolRun,
    only: RestoreOnly = {},
  ): Promise<void> {
    return withListFile(only.list, (list) =>
      this.run(
        this.bin.pgRestore,
        [...this.connArgs(database), ...args, ...(list ? ['-L', list] : []), dir],
        run,
      ),
    );
  }

  async toc(dir: string): Promise<string> {
    let out = '';
    await this.run(this.bin.pgRestore, ['-l', '-v', dir], { onStdout: (c) => (out += c.toString()) });
    return out;
  }

  psql(database: string, sql: string, run: ToolRun): Promise<void> {
    return this.run(this.bin.psql, ['-X', '-q', ...this.connArgs(database), '-c', sql], run);
  }
}
