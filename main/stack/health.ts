// Deployment validation of a stack (ports, PostgreSQL, Temporal schema, gRPC health, namespace, integration): per-service checks with healthy / degraded / failed and a one-line fix.
import net from 'node:net';
import pg from 'pg';
import { Client, type Connection } from '@temporalio/client';
import type { ValidationCheck, ValidationReport } from '../api';
import type { PostgresEndpoint, StackSpec } from './provider';
import {
  explainPostgresError,
  diagnoseTemporalError,
  connectTemporal,
  pgClientConfig,
  temporalConnectionOptions,
} from './connect';

type Group = ValidationCheck['group'];
type Outcome = { status: ValidationCheck['status']; detail: string; fix?: string };

const TEMPORAL_TABLES = [
  'namespaces',
  'executions',
  'current_executions',
  'history_node',
  'task_queues',
  'shards',
];
const VISIBILITY_TABLES = ['executions_visibility'];

async function timed(
  id: string,
  group: Group,
  label: string,
  fn: () => Promise<Outcome>,
): Promise<ValidationCheck> {
  const started = performance.now();
  let outcome: Outcome;
  try {
    outcome = await fn();
  } catch (err) {
    const hint = (err as { hint?: string }).hint;
    outcome = {
      status: 'failed',
      detail: (err as Error).message,
      fix: hint ?? 'See the service log for the cause.',
    };
  }
  return { id, group, label, ...outcome, durationMs: Math.round(performance.now() - started) };
}

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1_500 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

async function withClient<T>(
  ep: PostgresEndpoint,
  database: string,
  fn: (c: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client(pgClientConfig(ep, database));
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw explainPostgresError(
      err,
      ep,
      ep.databases.includes('temporal') ? 'Temporal Postgres' : 'App Postgres',
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function postgresChecks(
  group: 'app-postgres' | 'temporal-postgres',
  ep: PostgresEndpoint,
  spec: StackSpec,
): Promise<ValidationCheck[]> {
  const checks: ValidationCheck[] = [];
  const open = await timed(`${group}.port`, group, `Port ${ep.port} open`, async () =>
    (await portOpen(ep.host, ep.port))
      ? { status: 'healthy', detail: `${ep.host}:${ep.port} accepts connections` }
      : {
          status: 'failed',
          detail: `nothing answers on ${ep.host}:${ep.port}`,
          fix:
            spec.provider === 'attached'
              ? 'Check the host and port in the profile, and that the server is up and reachable from here.'
              : 'Start the stack (Stack → Start all, or ops-console stack up).',
        },
  );
  checks.push(open);
  if (open.status === 'failed') return checks;
  checks.push(
    await timed(`${group}.login`, group, 'Login and version', async () => {
      const version = await withClient(
        ep,
        ep.databases[0] ?? 'postgres',
        async (c) => (await c.query('SHOW server_version')).rows[0].server_version as string,
      );
      const major = Number(version.split('.')[0]);
      return major >= 12
        ? { status: 'healthy', detail: `PostgreSQL ${version}, logged in as ${ep.user}` }
        : {
            status: 'degraded',
            detail: `PostgreSQL ${version} is older than Temporal supports`,
            fix: 'Use PostgreSQL 12 or newer.',
          };
    }),
  );
  if (group === 'app-postgres' && spec.provider === 'attached') {
    checks.push(
      await timed(`${group}.schema`, group, 'Console schema (workflow tracking tables)', () =>
        withClient(ep, ep.databases[0] ?? 'postgres', async (c) => {
          const found = await c.query<{ applied: string | null; tracking: string | null }>(
            `SELECT to_regclass('public.ops_schema_migrations')::text AS applied,
                    to_regclass('public.workflow_executions')::text AS tracking`,
          );
          const row = found.rows[0];
          if (!row?.applied || !row.tracking)
            return {
              status: 'failed',
              detail: "the console's tables are not in this database yet",
              fix: 'Prepare it: `ops-console profile migrate` (or Profiles → Prepare app database), with the rights to create tables.',
            };
          const n = await c.query<{ n: string }>('SELECT count(*) AS n FROM ops_schema_migrations');
          return { status: 'healthy', detail: `${n.rows[0]?.n ?? 0} migrations applied` };
        }),
      ),
    );
  }
  if (group === 'temporal-postgres') {
    for (const [database, tables] of [
      ['temporal', TEMPORAL_TABLES],
      ['temporal_visibility', VISIBILITY_TABLES],
    ] as const) {
      checks.push(
        await timed(`${group}.schema.${database}`, group, `Temporal schema in ${database}`, () =>
          withClient(ep, database, async (c) => {
            const version = await c
              .query(`SELECT curr_version FROM schema_version WHERE db_name = $1`, [database])
              .catch(() => ({ rows: [] as Array<{ curr_version: string }> }));
            const present = await c.query<{ table_name: string }>(
              `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
            );
            const names = new Set(present.rows.map((r) => r.table_name));
            const absent = tables.filter((t) => !names.has(t));
            if (!version.rows[0] || absent.length) {
              return {
                status: 'failed',
                detail: !version.rows[0] ? 'no schema_version row' : `missing tables: ${absent.join(', ')}`,
                fix: 'Start the stack: it sets up the schema with temporal-sql-tool.',
              };
            }
            return {
              status: 'healthy',
              detail: `schema ${version.rows[0].curr_version}, ${names.size} tables`,
            };
          }),
        ),
      );
    }
  }
  return checks;
}

async function temporalChecks(spec: StackSpec, integration: boolean): Promise<ValidationCheck[]> {
  const address = `${spec.temporal.host}:${spec.temporal.port}`;
  const checks: ValidationCheck[] = [];
  let connection: Connection | undefined;
  checks.push(
    await timed('temporal.grpc', 'temporal', 'gRPC health and system info', async () => {
      try {
        connection = await connectTemporal({ ...temporalConnectionOptions(spec), connectTimeout: 3_000 });
      } catch (err) {
        throw await diagnoseTemporalError(err, spec);
      }
      const health = await connection.healthService.check({});
      const info = await connection.workflowService.getSystemInfo({});
      return health.status === 1
        ? { status: 'healthy', detail: `SERVING, server ${info.serverVersion}` }
        : {
            status: 'degraded',
            detail: `health status ${health.status}`,
            fix: 'Wait for the server to finish starting, then validate again.',
          };
    }),
  );
  if (!connection) {
    if (spec.provider !== 'attached' || !checks[0]!.fix)
      checks[0]!.fix = `Start the Temporal server, or check the address ${address}.`;
    return checks;
  }
  try {
    const conn = connection;
    checks.push(
      await timed('temporal.namespace', 'temporal', `Namespace ${spec.temporal.namespace}`, async () => {
        const ns = await conn.workflowService.describeNamespace({ namespace: spec.temporal.namespace });
        const retention = Number(ns.config?.workflowExecutionRetentionTtl?.seconds ?? 0) / 3600;
        return { status: 'healthy', detail: `registered, retention ${retention} h` };
      }),
    );
    if (checks[1]!.status === 'failed') checks[1]!.fix = 'Start the stack: it registers the namespace.';
    if (integration) {
      checks.push(
        await timed('integration.workflow', 'integration', 'A workflow is persisted', async () => {
          const client = new Client({ connection: conn, namespace: spec.temporal.namespace });
          const workflowId = `ops-console-validate-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
          const handle = await client.workflow.start('OpsConsoleValidation', {
            taskQueue: `ops-console-validate-${process.pid}`,
            workflowId,
            workflowExecutionTimeout: '1 minute',
          });
          const described = await handle.describe();
          await handle.terminate('validation finished');
          return described.workflowId === workflowId
            ? {
                status: 'healthy',
                detail: `started and read back ${workflowId} (run ${described.runId.slice(0, 8)}…)`,
              }
            : {
                status: 'failed',
                detail: 'the workflow could not be read back',
                fix: 'Check the Temporal server log for persistence errors.',
              };
        }),
      );
    }
  } finally {
    await connection.close();
  }
  return checks;
}

async function uiCheck(spec: StackSpec): Promise<ValidationCheck> {
  return timed('temporal-ui.http', 'temporal-ui', `Web UI on port ${spec.temporalUi.port}`, async () => {
    if (!spec.temporalUi.enabled)
      return {
        status: 'off',
        detail: 'off (optional)',
        fix: 'Turn it on in Settings → Stack if you want it.',
      };
    const res = await fetch(`http://127.0.0.1:${spec.temporalUi.port}/`, {
      signal: AbortSignal.timeout(3_000),
    });
    return res.ok
      ? { status: 'healthy', detail: `HTTP ${res.status}` }
      : { status: 'degraded', detail: `HTTP ${res.status}`, fix: 'Restart the Temporal Web UI service.' };
  });
}

/** The worst result; a check of a service that is off, or one skipped here, does not count. */
export function overallOf(checks: Array<Pick<ValidationCheck, 'status'>>): ValidationReport['overall'] {
  if (checks.some((c) => c.status === 'failed')) return 'failed';
  if (checks.some((c) => c.status === 'degraded')) return 'degraded';
  return 'healthy';
}

export async function validateStack(
  spec: StackSpec,
  options: { integration?: boolean } = {},
): Promise<ValidationReport> {
  const attached = spec.provider === 'attached';
  const [app, tpg, temporal, ui] = await Promise.all([
    postgresChecks('app-postgres', spec.appPostgres, spec),
    spec.hasTemporalPostgres === false
      ? Promise.resolve([])
      : postgresChecks('temporal-postgres', spec.temporalPostgres, spec),
    temporalChecks(spec, options.integration ?? true),
    attached ? Promise.resolve(undefined) : uiCheck(spec),
  ]);
  const checks = [...app, ...tpg, ...temporal, ...(ui ? [ui] : [])];
  // The UI is optional: when it is off, it does not lower the overall verdict.
  const counted = spec.temporalUi.enabled ? checks : checks.filter((c) => c.group !== 'temporal-ui');
  const overall = overallOf(counted);
  return { overall, summary: summaryOf(overall, checks), checkedAt: new Date().toISOString(), checks };
}

/** "healthy", or "healthy (Web UI off)" when an optional service is off. */
export function summaryOf(overall: ValidationReport['overall'], checks: ValidationCheck[]): string {
  const off = checks
    .filter((c) => c.status === 'off')
    .map((c) => (c.group === 'temporal-ui' ? 'Web UI' : c.label));
  return off.length ? `${overall} (${off.join(', ')} off)` : overall;
}

/** The integration probe's line when a read-only profile kept it from running. */
export function skippedProbeCheck(reason: string): ValidationCheck {
  return {
    id: 'integration.workflow',
    group: 'integration',
    label: 'A workflow is persisted',
    status: 'skipped',
    detail: `Not run: this check starts and terminates a workflow on Temporal (a write), and ${reason}.`,
    fix: 'The read-only checks above ran. Unlock the profile for a while to run this one too.',
    durationMs: 0,
  };
}
