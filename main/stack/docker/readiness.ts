// Waits, from the host, until a container's service answers: Postgres by logging in, Temporal by gRPC.
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import pg from 'pg';
import { msToTs } from '@temporalio/common';
import { OpsError } from '../../api';
import type { PostgresEndpoint } from '../provider';
import { reopenDatabases } from '../databases';
import { connectTemporal, probeTemporal } from '../connect';
import type { ContainerPlan } from './containers';
import { lastLogLines } from './container-logs';
import { LABELS } from './lifecycle';

export interface WaitOptions {
  signal: AbortSignal;
  timeoutMs: number;
  /** Called between attempts: throws when the container has exited, so a crash is reported at once. */
  stillRunning: () => Promise<void>;
}

async function poll<T>(what: string, options: WaitOptions, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last = '';
  for (;;) {
    if (options.signal.aborted)
      throw new OpsError('STACK_FAILED', 'The start was cancelled.', 'Start again when ready.');
    try {
      return await attempt();
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await options.stillRunning();
    if (Date.now() > deadline) {
      throw new OpsError(
        'TIMEOUT',
        `${what} did not answer within ${Math.round(options.timeoutMs / 1000)} s (last: ${last}).`,
        'Read the service log (log drawer, or `docker logs` of the container), fix what it names, then start again.',
      );
    }
    await sleep(250);
  }
}

function client(ep: PostgresEndpoint, database: string): pg.Client {
  const { host, port, user, password } = ep;
  return new pg.Client({ host, port, user, password, database, connectionTimeoutMillis: 3_000 });
}

/** Logs in until it works; returns the server version. */
export function waitForPostgres(
  ep: PostgresEndpoint,
  database: string,
  options: WaitOptions,
): Promise<string> {
  return poll(`PostgreSQL on ${ep.host}:${ep.port}`, options, async () => {
    const c = client(ep, database);
    c.on('error', () => undefined);
    await c.connect();
    try {
      return (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    } finally {
      await c.end();
    }
  });
}

/** Creates the endpoint's databases that are missing; returns the ones it created. */
export async function ensureDatabases(ep: PostgresEndpoint, maintenanceDb: string): Promise<string[]> {
  const c = client(ep, maintenanceDb);
  await c.connect();
  try {
    const existing = await c.query<{ datname: string }>('SELECT datname FROM pg_database');
    const names = new Set(existing.rows.map((r) => r.datname));
    const created: string[] = [];
    for (const db of ep.databases) {
      if (names.has(db)) continue;
      await c.query(`CREATE DATABASE "${db.replace(/"/g, '""')}"`);
      created.push(db);
    }
    await reopenDatabases(c, ep.databases);
    return created;
  } finally {
    await c.end();
  }
}

/** Waits until the frontend serves; returns the server version. */
export function waitForTemporal(address: string, options: WaitOptions): Promise<string> {
  return poll(`The Temporal server on ${address}`, options, () =>
    probeTemporal({ address }, async (connection) => {
      const health = await connection.healthService.check({});
      if (health.status !== 1) throw new Error(`health status ${health.status}`);
      return (await connection.workflowService.getSystemInfo({})).serverVersion ?? 'unknown';
    }),
  );
}

/** Registers the namespace unless it exists (auto-setup may have done it already); true when registered here. */
export async function ensureNamespace(
  address: string,
  namespace: string,
  retentionHours: number,
  options: WaitOptions,
): Promise<boolean> {
  const connection = await connectTemporal({ address, connectTimeout: 5_000 });
  try {
    let registered = false;
    try {
      await connection.workflowService.describeNamespace({ namespace });
    } catch {
      try {
        await connection.workflowService.registerNamespace({
          namespace,
          workflowExecutionRetentionPeriod: msToTs(retentionHours * 3_600_000),
        });
        registered = true;
      } catch (err) {
        // Registered concurrently (by auto-setup): that is the wanted end state.
        if (!/already exists/i.test(err instanceof Error ? err.message : String(err))) throw err;
      }
    }
    // The frontend learns of a new namespace at its next cache refresh: wait until it answers for it.
    await poll(`Namespace ${namespace}`, options, () =>
      connection.workflowService.countWorkflowExecutions({ namespace }),
    );
    return registered;
  } finally {
    await connection.close();
  }
}

/** Waiting on one container's service: gives up at once, with its last log lines, when the container exits. */
export function containerWaitOptions(
  docker: Docker,
  plan: ContainerPlan,
  signal: AbortSignal,
  timeoutMs: number,
): WaitOptions {
  return {
    signal,
    timeoutMs,
    stillRunning: async () => {
      const container = docker.getContainer(plan.name);
      const info = await container.inspect();
      if (info.State.Running) return;
      const tail = await lastLogLines(container, 5);
      throw new OpsError(
        'STACK_FAILED',
        `The ${LABELS[plan.service]} container exited during start-up (code ${info.State.ExitCode}): ${tail}`,
        `Read \`docker logs ${plan.name}\`; fix what it names, then start again.`,
      );
    },
  };
}

/** Until something accepts a connection on the port (the Temporal Web UI). */
export async function waitForPort(port: number, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (!(await portAnswers(port))) {
    await options.stillRunning();
    if (options.signal.aborted || Date.now() > deadline) {
      throw new OpsError('TIMEOUT', `Nothing answers on 127.0.0.1:${port}.`, 'Read the Temporal UI log.');
    }
    await sleep(250);
  }
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, timeout: 1_000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}
