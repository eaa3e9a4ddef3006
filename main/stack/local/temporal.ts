// The Temporal server of the local provider: schema set-up with temporal-sql-tool, the server, the namespace.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import { OpsError } from '../../api';
import type { StackBinaries } from '../binaries';
import type { StackSpec } from '../provider';
import type { Logger } from '../../logs';
import { connectTemporal } from '../connect';
import { isPortFree } from '../ports';
import { DetachedService } from './detached';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from './process';
import {
  PASSWORD_ENV,
  allocateTemporalPorts,
  readTemporalPorts,
  writeTemporalConfig,
  type TemporalPorts,
} from './temporal-config';
import { lastLines } from './log-tail';

const SCHEMAS: Record<string, string> = { temporal: 'temporal', temporal_visibility: 'visibility' };

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The newest schema version shipped for a database (the highest vX.Y folder). */
export function latestSchemaVersion(schemaDir: string, database: string): string {
  const dir = path.join(schemaDir, 'postgresql', 'v12', SCHEMAS[database] ?? database, 'versioned');
  return fs
    .readdirSync(dir)
    .filter((d) => /^v\d+\.\d+$/.test(d))
    .map((d) => d.slice(1))
    .sort(compareVersions)
    .pop() as string;
}

export async function currentSchemaVersion(spec: StackSpec, database: string): Promise<string | undefined> {
  const { host, port, user, password } = spec.temporalPostgres;
  const client = new pg.Client({ host, port, user, password, database, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const exists = await client.query(`SELECT to_regclass('public.schema_version') AS t`);
    if (!exists.rows[0].t) return undefined;
    const row = await client.query<{ curr_version: string }>(
      'SELECT curr_version FROM schema_version WHERE version_partition = 0 AND db_name = $1',
      [database],
    );
    return row.rows[0]?.curr_version;
  } finally {
    await client.end();
  }
}

export class LocalTemporal {
  readonly dir: string;
  readonly server: DetachedService;
  private ports: TemporalPorts | undefined;
  /** The server's version, as its frontend gave it in the answer the last start waited for. */
  answeredVersion: string | undefined;

  constructor(
    baseDir: string,
    private readonly spec: StackSpec,
    private readonly bin: StackBinaries,
    private readonly log: Logger,
  ) {
    this.dir = path.join(baseDir, 'temporal');
    this.ports = readTemporalPorts(this.dir);
    this.server = new DetachedService(
      'temporal-server',
      this.dir,
      bin.temporalServer,
      ['--root', this.dir, '--config', 'config', '--env', 'development', '--allow-no-auth', 'start'],
      { [PASSWORD_ENV]: spec.temporalPostgres.password },
    );
  }

  get address(): string {
    return `127.0.0.1:${this.spec.temporal.port}`;
  }

  /**
   * Creates or upgrades both Temporal databases' schemas; skips a database that is current. `created`: databases
   * this start has just created (empty: not asked for their version).
   */
  async ensureSchemas(created: string[] = []): Promise<string[]> {
    const done: string[] = [];
    for (const database of Object.keys(SCHEMAS)) {
      const latest = latestSchemaVersion(this.bin.schemaDir, database);
      const current = created.includes(database)
        ? undefined
        : await currentSchemaVersion(this.spec, database);
      if (current && compareVersions(current, latest) >= 0) continue;
      const base = [
        '--plugin',
        'postgres12',
        '--ep',
        '127.0.0.1',
        '-p',
        String(this.spec.temporalPostgres.port),
      ];
      const args = [...base, '-u', this.spec.temporalPostgres.user, '--db', database];
      const env = { SQL_PASSWORD: this.spec.temporalPostgres.password };
      if (!current) await run(this.bin.temporalSqlTool, [...args, 'setup-schema', '-v', '0.0'], { env });
      const versioned = path.join(
        this.bin.schemaDir,
        'postgresql',
        'v12',
        SCHEMAS[database] as string,
        'versioned',
      );
      await run(this.bin.temporalSqlTool, [...args, 'update-schema', '-d', versioned], { env });
      this.log.info(`schema of ${database}: ${current ?? 'none'} → ${latest}`);
      done.push(database);
    }
    return done;
  }

  /** Writes the config with the frontend's port and free internal ports (kept while they stay free). */
  private async prepareConfig(): Promise<void> {
    const previous = this.ports;
    const reserved = new Set([
      this.spec.appPostgres.port,
      this.spec.temporalPostgres.port,
      this.spec.temporalUi.port,
    ]);
    const internalFree =
      previous &&
      previous.frontend === this.spec.temporal.port &&
      Object.values(previous).every((p) => !reserved.has(p)) &&
      [
        previous.frontendMembership,
        previous.historyMembership,
        previous.matchingMembership,
        previous.workerMembership,
      ].every((p) => p < 32_768) &&
      (
        await Promise.all(
          Object.entries(previous)
            .filter(([k]) => k !== 'frontend')
            .map(([, p]) => isPortFree(p)),
        )
      ).every(Boolean);
    const ports: TemporalPorts = internalFree
      ? previous
      : await allocateTemporalPorts(this.spec.temporal.port, this.spec.temporal.port * 13, reserved);
    if (new Set(Object.values(ports)).size !== Object.values(ports).length) return this.prepareConfig();
    writeTemporalConfig(this.dir, this.spec, ports);
    this.ports = ports;
  }

  async start(signal: AbortSignal): Promise<void> {
    await (await this.startAnswering(signal)).close();
  }

  /**
   * Starts the server and waits until its frontend answers; returns the connection that got the answer, open,
   * for the next exchange (a new channel costs a handshake). The caller closes it.
   */
  async startAnswering(signal: AbortSignal): Promise<Connection> {
    await this.launch();
    return this.waitForFrontend(signal);
  }

  /** Starts the server process without waiting for it to answer (a warm start overlaps its boot with checks). */
  async launch(): Promise<void> {
    if (this.server.pid()) return;
    await this.prepareConfig();
    this.server.start();
  }

  /** Whether both databases hold this server's schema (reads only; a missing database is not current). */
  async schemasCurrent(): Promise<boolean> {
    const databases = Object.keys(SCHEMAS);
    const found = await Promise.all(
      databases.map((db) => currentSchemaVersion(this.spec, db).catch(() => undefined)),
    );
    return databases.every((db, i) => {
      const current = found[i];
      return (
        current !== undefined && compareVersions(current, latestSchemaVersion(this.bin.schemaDir, db)) >= 0
      );
    });
  }

  /**
   * Probes the frontend every 50 ms, each time on a fresh channel without retries (after a refused connection a
   * channel waits a second before it tries again), until one answers; that channel is returned open.
   */
  private async waitForFrontend(signal: AbortSignal, timeoutMs = 60_000): Promise<Connection> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (signal.aborted)
        throw new OpsError('STACK_FAILED', 'The start was cancelled.', 'Start again when ready.');
      if (!this.server.pid()) {
        throw new OpsError(
          'STACK_FAILED',
          `The Temporal server exited during start-up: ${temporalFailure(this.server.logFile)}`,
          `Read ${this.server.logFile}; fix what it names, then start again.`,
        );
      }
      const probe = Connection.lazy({ address: this.address, interceptors: [] });
      try {
        const info = await probe.withDeadline(Date.now() + 1_000, () =>
          probe.workflowService.getSystemInfo({}),
        );
        this.answeredVersion = info.serverVersion || undefined;
        return probe;
      } catch {
        await probe.close(); // no retry can be pending: there is no retry interceptor
        if (Date.now() > deadline) {
          throw new OpsError(
            'TIMEOUT',
            `The Temporal server did not answer on ${this.address} within 60 s.`,
            `Read ${this.server.logFile}.`,
          );
        }
        await sleep(50);
      }
    }
  }

  /**
   * Registers the namespace with its retention period; leaves an existing one as it is. On `answering` (the
   * connection the start got its answer on) first; a failure there is tried again on a connection that retries.
   */
  async ensureNamespace(answering?: Connection): Promise<boolean> {
    if (answering) {
      try {
        return await this.registerNamespace(answering);
      } catch (err) {
        this.log.info(`namespace check: ${(err as Error).message}; trying again`);
      }
    }
    const connection = await connectTemporal({ address: this.address, connectTimeout: 5_000 });
    try {
      return await this.registerNamespace(connection);
    } finally {
      await connection.close();
    }
  }

  private async registerNamespace(connection: Connection): Promise<boolean> {
    const namespace = this.spec.temporal.namespace;
    // Register first: asking for a namespace that does not exist yet makes the frontend cache the miss
    // until its next refresh, which cost a second on every cold start.
    try {
      await connection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs(this.spec.temporal.retentionHours * 3_600_000),
      });
    } catch (err) {
      if ((err as { code?: number }).code === 6 /* ALREADY_EXISTS */) return false;
      throw err;
    }
    this.log.info(`registered namespace ${namespace} (retention ${this.spec.temporal.retentionHours} h)`);
    for (let i = 0; i < 150; i++) {
      try {
        await connection.workflowService.countWorkflowExecutions({ namespace });
        break;
      } catch {
        await sleep(100);
      }
    }
    return true;
  }

  /** `graceMs` 0: killed at once (its state is about to be replaced; a crash is one it recovers from). */
  stop(graceMs?: number): Promise<void> {
    return this.server.stop(graceMs);
  }
}

/** The server's own words for why it stopped: the last fatal or error entry of its JSON log. */
export function temporalFailure(logFile: string): string {
  const lines = lastLines(logFile, 40).split('\n').reverse();
  for (const level of ['fatal', 'error']) {
    for (const line of lines) {
      try {
        const entry = JSON.parse(line) as { level?: string; msg?: string; error?: string };
        if (entry.level === level) return [entry.msg, entry.error].filter(Boolean).join(': ');
      } catch {
        // not a JSON line
      }
    }
  }
  return lines.slice(0, 3).reverse().join(' | ');
}
