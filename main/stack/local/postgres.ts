// One PostgreSQL cluster run by the local provider: initdb once, pg_ctl start/stop, databases ensured.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { PostgresEndpoint } from '../provider';
import type { StackBinaries } from '../binaries';
import type { Logger } from '../../logs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, run } from './process';
import { ensureOwnedDir, type RunAs } from './run-as';
import { reopenDatabases } from '../databases';
import { ARCHIVE_SCRIPT, archiveOptions } from '../wal-command';

/** The archive script, next to the cluster (the same steps the Docker provider runs inline). */
const ARCHIVE_SCRIPT_FILE = `#!/bin/sh
# Written by Ops Console. $1 = the segment's path (%p), $2 = its place in the archive.
${ARCHIVE_SCRIPT}
`;

/** The states in which pg_ctl -w counts a server as up (postmaster.pid's status line). */
const READY_STATES = new Set(['ready', 'standby']);

/** A data folder's postmaster.pid: the server's pid and its status line, or undefined when there is none. */
function postmasterPid(dataDir: string): { pid: number; status: string } | undefined {
  try {
    const lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    return { pid: Number(lines[0]), status: (lines[7] ?? '').trim() };
  } catch {
    return undefined;
  }
}

export class PostgresCluster {
  readonly dir: string;
  readonly dataDir: string;
  readonly socketDir: string;
  readonly logFile: string;
  /** Where this cluster's WAL segments are archived when archiving is on. */
  readonly archiveDir: string;
  /** Base backups of this cluster (point-in-time recovery starts from one). */
  readonly baseBackupDir: string;

  constructor(
    readonly id: 'app-postgres' | 'temporal-postgres',
    baseDir: string,
    readonly endpoint: PostgresEndpoint,
    private readonly bin: StackBinaries,
    readonly runAs: RunAs | undefined,
    private readonly log: Logger,
    private readonly archiving?: { enabled: boolean; segmentTimeoutS: number },
  ) {
    this.dir = path.join(baseDir, id);
    this.dataDir = path.join(this.dir, 'data');
    this.socketDir = path.join(this.dir, 'run');
    this.logFile = path.join(this.dir, 'postgres.log');
    this.archiveDir = path.join(baseDir, 'pitr', id, 'wal');
    this.baseBackupDir = path.join(baseDir, 'pitr', id, 'base');
  }

  get archivingEnabled(): boolean {
    return Boolean(this.archiving?.enabled);
  }

  /** The server options for continuous archiving; the script goes next to the cluster, owned by its user. */
  private archiveOptions(): string[] {
    // Without archiving nothing reads the WAL but crash recovery: at wal_level minimal, a table created or truncated
    // in the transaction that fills it (a restore's COPY) is synced at commit instead of written twice.
    if (!this.archiving?.enabled) return ['-c wal_level=minimal', '-c max_wal_senders=0'];
    ensureOwnedDir(path.dirname(path.dirname(this.archiveDir)), this.runAs, 0o755);
    ensureOwnedDir(path.dirname(this.archiveDir), this.runAs);
    ensureOwnedDir(this.archiveDir, this.runAs);
    ensureOwnedDir(this.baseBackupDir, this.runAs);
    const script = path.join(this.dir, 'archive.sh');
    fs.writeFileSync(script, ARCHIVE_SCRIPT_FILE, { mode: 0o700 });
    if (this.runAs) fs.chownSync(script, this.runAs.uid, this.runAs.gid);
    return archiveOptions(
      this.archiveDir,
      this.archiving.segmentTimeoutS,
      (dest) => `${script} %p ${dest}`,
    ).map(([name, value]) => `-c ${name}='${value}'`);
  }

  isInitialized(): boolean {
    return fs.existsSync(path.join(this.dataDir, 'PG_VERSION'));
  }

  /** The postmaster's pid when it is running. */
  pid(): number | undefined {
    const pid = postmasterPid(this.dataDir)?.pid;
    return isAlive(pid) ? pid : undefined;
  }

  async init(): Promise<void> {
    ensureOwnedDir(this.dir, this.runAs);
    ensureOwnedDir(this.socketDir, this.runAs);
    const pwfile = path.join(this.dir, '.pwfile');
    fs.writeFileSync(pwfile, this.endpoint.password + '\n', { mode: 0o600 });
    if (this.runAs) fs.chownSync(pwfile, this.runAs.uid, this.runAs.gid);
    try {
      await run(
        this.bin.initdb,
        [
          '-D',
          this.dataDir,
          '-U',
          this.endpoint.user,
          `--pwfile=${pwfile}`,
          '--auth=scram-sha-256',
          '-E',
          'UTF8',
          '--locale=C',
        ],
        { runAs: this.runAs },
      );
    } finally {
      fs.rmSync(pwfile, { force: true });
    }
    this.log.info(`initialised a new cluster in ${this.dataDir}`);
  }

  async start(dataDir = this.dataDir, port = this.endpoint.port): Promise<void> {
    if (dataDir === this.dataDir && this.pid()) return;
    const options = [
      `-c listen_addresses=127.0.0.1`,
      `-c port=${port}`,
      `-c unix_socket_directories=${this.socketDir}`,
      `-c log_line_prefix='%m [%p] '`,
      ...(dataDir === this.dataDir ? this.archiveOptions() : []),
    ].join(' ');
    if (!fs.existsSync(this.logFile)) {
      fs.writeFileSync(this.logFile, '');
      if (this.runAs) fs.chownSync(this.logFile, this.runAs.uid, this.runAs.gid);
    }
    const stale = postmasterPid(dataDir)?.pid;
    const ctl = run(
      this.bin.pgCtl,
      [
        '-D',
        dataDir,
        '-l',
        dataDir === this.dataDir ? this.logFile : `${dataDir}.log`,
        '-o',
        options,
        '-w',
        '-t',
        '600',
        'start',
      ],
      {
        runAs: this.runAs,
        detached: true,
      },
    );
    // pg_ctl -w looks at the server every 100 ms; the same sign (its pid file saying it takes connections) read
    // every 10 ms answers up to 100 ms sooner. pg_ctl still reports a server that fails to come up.
    let settled = false;
    const ready = (async () => {
      while (!settled) {
        const now = postmasterPid(dataDir);
        if (now && now.pid !== stale && READY_STATES.has(now.status) && isAlive(now.pid)) return;
        await sleep(10);
      }
    })();
    try {
      await Promise.race([ctl, ready]);
    } finally {
      settled = true;
      ctl.catch(() => undefined); // it ends by itself once it sees the server up
    }
  }

  async stop(dataDir = this.dataDir): Promise<void> {
    if (dataDir === this.dataDir && !this.pid()) return;
    await run(this.bin.pgCtl, ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop'], {
      runAs: this.runAs,
    });
  }

  /** The binaries this cluster runs with (pg_basebackup and friends sit next to pg_ctl). */
  binDir(): string {
    return path.dirname(this.bin.pgCtl);
  }

  client(database = 'postgres'): pg.Client {
    const { host, port, user, password } = this.endpoint;
    return new pg.Client({ host, port, user, password, database, connectionTimeoutMillis: 5_000 });
  }

  /** Creates the databases this cluster holds for us; returns the server version and the databases it created. */
  async ensureDatabases(): Promise<{ version: string; created: string[] }> {
    const client = this.client();
    await client.connect();
    try {
      const existing = await client.query<{ datname: string; server_version: string }>(
        "SELECT datname, current_setting('server_version') AS server_version FROM pg_database",
      );
      const names = new Set(existing.rows.map((r) => r.datname));
      const created: string[] = [];
      for (const db of this.endpoint.databases) {
        if (!names.has(db)) {
          await client.query(`CREATE DATABASE "${db}"`);
          this.log.info(`created database ${db}`);
          created.push(db);
        }
      }
      for (const db of await reopenDatabases(client, this.endpoint.databases))
        this.log.warn(
          `database ${db} refused connections (a restore was cut off during its swap): opened it`,
        );
      return { version: existing.rows[0]!.server_version, created };
    } finally {
      await client.end();
    }
  }
}
