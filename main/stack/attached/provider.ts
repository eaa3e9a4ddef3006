// The attached provider: the stack runs elsewhere (a Temporal cluster, managed Postgres). It starts and stops
// nothing; it reports whether each service answers, with the profile's TLS, and validation runs the checks
// that apply there.
import net from 'node:net';
import pg from 'pg';
import type { Connection } from '@temporalio/client';
import type { ServiceId, ServiceStatus, Settings } from '../../api';
import { resolveBinaries } from '../binaries';
import type { PgTools } from '../pg-tools';
import { LocalTools } from '../local/pg-tools';
import { OpsError } from '../../api';
import type { PostgresEndpoint, StackProvider, StackSpec } from '../provider';
import {
  explainPostgresError,
  diagnoseTemporalError,
  connectTemporal,
  pgClientConfig,
  temporalConnectionOptions,
} from '../connect';

export function refusedOnAttached(action: string, spec: StackSpec): OpsError {
  return new OpsError(
    'NOT_SUPPORTED',
    `The stack of profile "${spec.profile ?? 'attached'}" runs elsewhere: the console does not ${action} it.`,
    'Manage that cluster where it runs (its own tooling or team); here you can validate, inspect, run the worker and cycles.',
    { provider: 'attached', action },
  );
}

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1_500 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

export class AttachedProvider implements StackProvider {
  readonly kind = 'attached' as const;

  constructor(
    private readonly spec: StackSpec,
    private readonly settings: Settings,
  ) {}

  /** The PostgreSQL programs on this machine, over the profile's connection (and its TLS). */
  pgTools(_cluster: 'app-postgres' | 'temporal-postgres', endpoint: PostgresEndpoint): PgTools {
    return new LocalTools(resolveBinaries(this.settings, { ui: false }), endpoint);
  }

  startSteps(): Array<{ id: string; label: string }> {
    return [];
  }

  start(): Promise<void> {
    return Promise.reject(refusedOnAttached('start', this.spec));
  }

  stop(): Promise<void> {
    return Promise.reject(refusedOnAttached('stop', this.spec));
  }

  restartService(service: ServiceId): Promise<void> {
    return Promise.reject(refusedOnAttached(`restart ${service} of`, this.spec));
  }

  private async postgres(
    id: ServiceId,
    label: string,
    ep: PostgresEndpoint,
    database: string,
  ): Promise<ServiceStatus> {
    const base = { id, label, port: ep.port };
    if (!(await portOpen(ep.host, ep.port)))
      return {
        ...base,
        state: 'failed',
        health: 'failed',
        message: `nothing answers on ${ep.host}:${ep.port}`,
      };
    const client = new pg.Client(pgClientConfig(ep, database));
    client.on('error', () => undefined);
    try {
      await client.connect();
      const version = (await client.query('SHOW server_version')).rows[0].server_version as string;
      const ssl = ep.ssl && ep.ssl.mode !== 'disable' ? `, ssl ${ep.ssl.mode}` : '';
      return {
        ...base,
        state: 'running',
        health: 'healthy',
        version,
        message: `attached at ${ep.host}${ssl}`,
      };
    } catch (err) {
      return {
        ...base,
        state: 'failed',
        health: 'failed',
        message: explainPostgresError(err, ep, label).message,
      };
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async temporal(): Promise<ServiceStatus> {
    const base = { id: 'temporal' as const, label: 'Temporal', port: this.spec.temporal.port };
    let connection: Connection | undefined;
    try {
      connection = await connectTemporal({
        ...temporalConnectionOptions(this.spec),
        connectTimeout: 3_000,
      });
      const health = await connection.healthService.check({});
      const info = await connection.workflowService.getSystemInfo({});
      const tls = this.spec.temporal.tls ? ', TLS' : '';
      return {
        ...base,
        state: 'running',
        health: health.status === 1 ? 'healthy' : 'degraded',
        version: info.serverVersion,
        message: `attached at ${this.spec.temporal.host}${tls}`,
      };
    } catch (err) {
      return {
        ...base,
        state: 'failed',
        health: 'failed',
        message: (await diagnoseTemporalError(err, this.spec)).message,
      };
    } finally {
      await connection?.close().catch(() => undefined);
    }
  }

  async services(): Promise<ServiceStatus[]> {
    const s = this.spec;
    const [app, tpg, temporal] = await Promise.all([
      this.postgres('app-postgres', 'App Postgres', s.appPostgres, s.appPostgres.database),
      s.hasTemporalPostgres === false
        ? Promise.resolve<ServiceStatus>({
            id: 'temporal-postgres',
            label: 'Temporal Postgres',
            state: 'disabled',
            health: 'unknown',
            message: 'not reachable from here (managed with the cluster)',
          })
        : this.postgres(
            'temporal-postgres',
            'Temporal Postgres',
            s.temporalPostgres,
            s.temporalPostgres.databases[0] ?? 'temporal',
          ),
      this.temporal(),
    ]);
    return [
      app,
      tpg,
      temporal,
      {
        id: 'temporal-ui',
        label: 'Temporal Web UI',
        state: 'disabled',
        health: 'unknown',
        message: 'not part of an attached stack',
      },
    ];
  }
}
