// pg_dump, pg_restore and psql inside a cluster's container (the Docker provider): archives go in and out as tar
// streams.
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import {
  cancelled,
  failure,
  stderrSink,
  withListFile,
  type PgTools,
  type RestoreOnly,
  type ToolConnection,
  type ToolRun,
} from '../pg-tools';

/** Runs the tools inside a Postgres container; `port` is the one the server listens on inside it. */
export class DockerTools implements PgTools {
  constructor(
    private readonly container: () => Promise<Docker.Container>,
    private readonly conn: ToolConnection,
    private readonly port: number,
  ) {}

  private connArgs(database: string): string[] {
    return ['-h', '127.0.0.1', '-p', String(this.port), '-U', this.conn.user, '-d', database];
  }

  private async exec(cmd: string[], run: ToolRun = {}): Promise<void> {
    if (run.signal?.aborted) throw cancelled();
    const container = await this.container();
    const env = { PGPASSWORD: this.conn.password, PGCONNECT_TIMEOUT: '5', ...run.env };
    // A process started by exec outlives its stream: a cancellable one records its pid inside the container, so
    // cancelling can stop it there (pg_dump and pg_restore end their parallel workers on SIGTERM).
    const pidFile = run.signal ? `${this.scratch()}.pid` : undefined;
    const exec = await container.exec({
      Cmd: pidFile
        ? [
            'sh',
            '-c',
            `"$@" & echo $! > ${pidFile}; wait $!; rc=$?; rm -f ${pidFile}; exit $rc`,
            'sh',
            ...cmd,
          ]
        : cmd,
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    const out = new PassThrough();
    const errStream = new PassThrough();
    const err = stderrSink(run);
    out.on('data', (c: Buffer) => run.onStdout?.(c));
    errStream.on('data', (c: Buffer) => err.write(c.toString()));
    container.modem.demuxStream(stream, out, errStream);
    let stopped: Promise<void> | undefined;
    const onAbort = () => {
      stream.destroy();
      stopped = this.exec([
        'sh',
        '-c',
        `for i in 1 2 3 4 5 6 7 8 9 10; do [ -s ${pidFile} ] && break; sleep 0.05; done; ` +
          `p=$(cat ${pidFile} 2>/dev/null) && kill -TERM "$p" 2>/dev/null; while [ -n "$p" ] && kill -0 "$p" 2>/dev/null; do sleep 0.05; done; rm -f ${pidFile}`,
      ]).catch(() => undefined);
    };
    run.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await new Promise<void>((resolve, reject) => {
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', reject);
      });
    } finally {
      run.signal?.removeEventListener('abort', onAbort);
    }
    if (run.signal?.aborted) {
      await stopped;
      throw cancelled();
    }
    let info = await exec.inspect();
    // The stream can end a moment before the engine records the exit code.
    for (let i = 0; i < 100 && info.Running; i++) {
      await new Promise((r) => setTimeout(r, 20));
      info = await exec.inspect();
    }
    if (info.ExitCode !== 0) throw failure(cmd[0]!, info.ExitCode ?? null, err.tail());
  }

  private scratch(): string {
    return `/tmp/ops-backup-${crypto.randomBytes(6).toString('hex')}`;
  }

  /** Copies a folder (or one file in it) on this machine into the container under `into`. */
  private async copyIn(parent: string, entry: string, into: string): Promise<void> {
    const container = await this.container();
    await this.exec(['mkdir', '-p', into]);
    const tar = spawn('tar', ['-c', '-C', parent, entry], { stdio: ['ignore', 'pipe', 'inherit'] });
    await container.putArchive(tar.stdout, { path: into });
  }

  async dump(database: string, dir: string, args: string[], run: ToolRun): Promise<void> {
    const tmp = this.scratch();
    const name = path.basename(dir);
    try {
      await this.exec(['mkdir', '-p', tmp]);
      await this.exec(['pg_dump', ...this.connArgs(database), ...args, '-f', `${tmp}/${name}`], run);
      const container = await this.container();
      const tarStream = await container.getArchive({ path: `${tmp}/${name}` });
      await new Promise<void>((resolve, reject) => {
        const tar = spawn('tar', ['-x', '-C', path.dirname(dir)], { stdio: ['pipe', 'ignore', 'pipe'] });
        let stderr = '';
        tar.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        tarStream.pipe(tar.stdin);
        tar.on('error', reject);
        tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar: ${stderr}`))));
      });
    } finally {
      await this.exec(['rm', '-rf', tmp]).catch(() => undefined);
    }
  }

  async restore(
    database: string,
    dir: string,
    args: string[],
    run: ToolRun,
    only: RestoreOnly = {},
  ): Promise<void> {
    const tmp = this.scratch();
    try {
      const name = path.basename(dir);
      await this.copyIn(path.dirname(dir), only.tocOnly ? `${name}/toc.dat` : name, tmp);
      await withListFile(only.list, async (list) => {
        if (list) await this.copyIn(path.dirname(list), path.basename(list), tmp);
        const listArgs = list ? ['-L', `${tmp}/${path.basename(list)}`] : [];
        await this.exec(
          ['pg_restore', ...this.connArgs(database), ...args, ...listArgs, `${tmp}/${name}`],
          run,
        );
      });
    } finally {
      await this.exec(['rm', '-rf', tmp]).catch(() => undefined);
    }
  }

  async toc(dir: string): Promise<string> {
    const tmp = this.scratch();
    try {
      // pg_restore -l reads only the table of contents.
      await this.copyIn(path.dirname(dir), `${path.basename(dir)}/toc.dat`, tmp);
      let out = '';
      await this.exec(['pg_restore', '-l', '-v', `${tmp}/${path.basename(dir)}`], {
        onStdout: (c) => (out += c.toString()),
      });
      return out;
    } finally {
      await this.exec(['rm', '-rf', tmp]).catch(() => undefined);
    }
  }

  psql(database: string, sql: string, run: ToolRun): Promise<void> {
    return this.exec(['psql', '-X', '-q', ...this.connArgs(database), '-c', sql], run);
  }
}
