// The local provider against the real binaries: cold start, validation, data kept across a warm start, no orphans.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsole, type WiredConsole } from '../../../main/console';
import { migrateAppDb } from '../../../main/db';
import { lowerPostgresBackend, postgresUrl } from '../../../main/stack';
import { resolveBinaries } from '../../../main/stack/binaries';
import { SERVICE_NICENESS, SESSION_NICENESS } from '../../../main/stack/priority';
import { isPortFree } from '../../../main/stack/ports';
import { scratchHome } from '../../support/console-process';
import { waitFor } from '../../support/cycle-stack';
import { niceOf, sessionNiceOf, sessionSharesRefusal } from '../../support/session-shares';
import { freeStackSettings } from '../../support/stack-settings';

let ops: WiredConsole;
let home: string;
const pids: number[] = [];

/** A zombie (exited, not yet reaped) counts as gone. */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** A process's nice value (0 is normal priority), from /proc. */

async function query(sql: string): Promise<pg.QueryResult> {
  const spec = ops.stack.spec();
  const client = new pg.Client({
    connectionString: postgresUrl(spec.appPostgres, spec.appPostgres.database),
  });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  home = scratchHome(await freeStackSettings({ enableUi: true }));
  ops = createConsole({ mode: 'cli', dataDir: home, env: {} });
});

afterAll(async () => {
  await ops.router.call('stack.stop', {});
  await ops.shutdown();
});

describe('local provider lifecycle', () => {
  it('cold-starts every service to running, with each step reported', async () => {
    const steps: string[] = [];
    let databasesWhenMigrationsBegan: string | undefined;
    ops.router.events.subscribe((name, payload) => {
      if (name !== 'stack.status') return;
      const list = (payload as { steps: Array<{ id: string; state: string }> }).steps;
      for (const s of list) {
        if (s.state === 'done' && !steps.includes(s.id)) steps.push(s.id);
      }
      if (list.find((s) => s.id === 'app-schema')?.state === 'running')
        databasesWhenMigrationsBegan ??= list.find((s) => s.id === 'databases')?.state;
    });
    const status = await ops.router.invoke('stack.start', {});
    expect(status.state).toBe('running');
    expect(status.services.map((s) => [s.id, s.state])).toEqual([
      ['app-postgres', 'running'],
      ['temporal-postgres', 'running'],
      ['temporal', 'running'],
      ['temporal-ui', 'running'],
    ]);
    // The app DB's migrations begin once its own database exists, while the Temporal cluster's are still created.
    expect(databasesWhenMigrationsBegan).toBe('running');
    // The app DB's migrations run beside the Temporal side, once the app's own database exists (they may end
    // before the Temporal databases are made); the namespace and the Web UI side by side, once the server answers.
    const beside = ['app-schema', 'namespace', 'ui'];
    expect(steps.filter((s) => !beside.includes(s))).toEqual([
      'binaries',
      'ports',
      'postgres',
      'databases',
      'schema',
      'temporal',
    ]);
    expect(steps.indexOf('app-schema')).toBeGreaterThan(steps.indexOf('postgres'));
    expect(steps.indexOf('namespace')).toBeGreaterThan(steps.indexOf('temporal'));
    expect(steps.indexOf('ui')).toBeGreaterThan(steps.indexOf('temporal'));
    for (const s of status.services) pids.push(s.pid as number);
    expect(status.services.find((s) => s.id === 'temporal')?.version).toBe('1.29.1');
  });

  it('validates every check healthy, the integration workflow included', async () => {
    const report = await ops.router.invoke('stack.validate', {});
    const notHealthy = report.checks.filter((c) => c.status !== 'healthy');
    expect(notHealthy).toEqual([]);
    expect(report.overall).toBe('healthy');
    expect(report.checks.map((c) => c.id)).toEqual(
      expect.arrayContaining([
        'temporal-postgres.schema.temporal',
        'temporal.namespace',
        'integration.workflow',
        'temporal-ui.http',
      ]),
    );
  });

  it("runs the services below the console's priority, and at the same priority once the setting says so", async () => {
    const status = await ops.router.invoke('stack.status', {});
    const servicePids = status.services.map((s) => s.pid as number);
    const refusal = await sessionSharesRefusal();
    if (refusal) console.warn(`This machine refuses to change a session's CPU share: ${refusal}`);
    const lowered = refusal === undefined ? SESSION_NICENESS : 0;
    // A client backend the app cluster starts now (read while its connection is open).
    const spec = ops.stack.spec();
    const url = postgresUrl(spec.appPostgres, spec.appPostgres.database);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    // And one for another program's connection (a psql the console did not start: `setsid -f` leaves it to init),
    // which starts a session of its own.
    spawn(
      'setsid',
      ['-f', resolveBinaries(ops.settings.get()).psql, '-X', '-q', '-c', 'SELECT pg_sleep(30)', url],
      { env: { ...process.env, PGAPPNAME: 'other' }, stdio: 'ignore' },
    );
    let backendNice: number;
    try {
      const backend = Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
      backendNice = niceOf(backend);
      const otherBackend = async () =>
        (await client.query(`SELECT pid FROM pg_stat_activity WHERE application_name = 'other'`)).rows[0]
          ?.pid as number | undefined;
      await waitFor(async () => (await otherBackend()) !== undefined, 10_000, "psql's backend");
      // Within a look or two (every few seconds), the other program's backend yields, session and all (where the
      // machine lets a session's share change); the one serving the console's own connection keeps its session's
      // share, the console's own session too.
      await waitFor(
        async () => {
          const other = (await otherBackend())!;
          return niceOf(other) === 10 && sessionNiceOf(other) === lowered;
        },
        10_000,
        "psql's backend to yield",
      );
      expect(sessionNiceOf(backend)).toBe(0);
      expect(sessionNiceOf(process.pid)).toBe(0);
    } finally {
      await client.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'other'`,
      );
      await client.end();
    }
    expect(niceOf(process.pid)).toBe(0);
    // The clusters' servers, the backend, Temporal and its Web UI; each service in a session of its own, lowered.
    expect([...servicePids.map(niceOf), backendNice]).toEqual([10, 10, 10, 10, 10]);
    expect(servicePids.map(sessionNiceOf)).toEqual(Array(4).fill(lowered));
    // Where it does not, the console's log says so, once.
    const told = await ops.router.invoke('logs.read', { name: 'console', text: 'keep their full CPU share' });
    expect(told.lines).toHaveLength(refusal === undefined ? 0 : 1);
    await ops.router.invoke('settings.update', { stack: { servicesYield: false } });
    try {
      const restarted = await ops.router.invoke('stack.restart', {});
      expect(restarted.state).toBe('running');
      const again = restarted.services.map((s) => s.pid as number);
      expect(again.map(niceOf)).toEqual([0, 0, 0, 0]);
      expect(again.map(sessionNiceOf)).toEqual([0, 0, 0, 0]);
    } finally {
      await ops.router.invoke('settings.update', { stack: { servicesYield: true } });
      const back = await ops.router.invoke('stack.restart', {});
      for (const s of back.services) pids.push(s.pid as number);
    }
  });

  it('keeps no password in the settings file and binds only 127.0.0.1', async () => {
    const settingsFile = fs.existsSync(`${home}/settings.json`)
      ? fs.readFileSync(`${home}/settings.json`, 'utf8')
      : '';
    const spec = ops.stack.spec();
    expect(settingsFile).not.toContain(spec.appPostgres.password);
    expect(fs.statSync(`${home}/secrets.json`).mode & 0o777).toBe(0o600);
    const config = fs.readFileSync(`${spec.dataDir}/temporal/config/development.yaml`, 'utf8');
    expect(config).not.toContain(spec.temporalPostgres.password);
    const listen = (await query(`SHOW listen_addresses`)).rows[0].listen_addresses;
    expect(listen).toBe('127.0.0.1');
  });

  it('stops gracefully, keeps data, and warm-starts with the data still there', async () => {
    await query(
      `CREATE TABLE IF NOT EXISTS kept (note text); INSERT INTO kept VALUES ('written before stop')`,
    );
    const stopped = await ops.router.invoke('stack.stop', {});
    expect(stopped.state).toBe('stopped');
    for (const pid of pids) expect(alive(pid)).toBe(false);
    const warm = await ops.router.invoke('stack.start', {});
    expect(warm.state).toBe('running');
    expect(warm.steps.find((s) => s.id === 'schema')?.detail).toBe('up to date');
    expect(warm.steps.find((s) => s.id === 'namespace')?.detail).toBe('exists');
    expect(warm.steps.find((s) => s.id === 'app-schema')?.detail).toBe('up to date');
    // Neither start's look at the migrations left an error in the app DB's log (a new database has no table yet).
    const appLog = fs.readFileSync(`${ops.stack.spec().dataDir}/app-postgres/postgres.log`, 'utf8');
    expect(appLog).toContain('database system is ready');
    expect(appLog).not.toMatch(/ERROR:/);
    expect((await query('SELECT note FROM kept')).rows).toEqual([{ note: 'written before stop' }]);
  });

  it('applies an app DB migration the database has not run, and only that one', async () => {
    // The database loses its last migration (its record and what it made): the one read that finds a warm start
    // up to date must not take it for current, and the runner applies just that migration.
    await query(
      `DELETE FROM ops_schema_migrations WHERE name = '0008_phase_tracking_function';
       DROP FUNCTION ops_track_phase; DROP FUNCTION ops_phase_rank`,
    );
    expect((await ops.router.invoke('stack.migrateAppDb', {})).applied).toEqual([
      '0008_phase_tracking_function',
    ]);
    expect((await query(`SELECT ops_phase_rank('completed') AS rank`)).rows[0].rank).toEqual(
      expect.any(Number),
    );
    expect((await ops.router.invoke('stack.migrateAppDb', {})).applied).toEqual([]);
  });

  it('lowers the server process that applies pending migrations, and asks for none when there are none', async () => {
    await query(
      `DELETE FROM ops_schema_migrations WHERE name = '0008_phase_tracking_function';
       DROP FUNCTION ops_track_phase; DROP FUNCTION ops_phase_rank`,
    );
    const refusal = await sessionSharesRefusal();
    const spec = ops.stack.spec();
    const url = postgresUrl(spec.appPostgres, spec.appPostgres.database);
    // The backend serves this process's connection: the running stack's sweeps leave it at full priority.
    const told: Array<{ title: string; nice: number; session: number | undefined }> = [];
    const lowerAndRead = (pid: number) => {
      lowerPostgresBackend(pid, SERVICE_NICENESS);
      const title = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      told.push({ title, nice: niceOf(pid), session: sessionNiceOf(pid) });
    };
    expect((await migrateAppDb(url, { beforeApplying: lowerAndRead })).applied).toEqual([
      '0008_phase_tracking_function',
    ]);
    expect(told).toEqual([
      {
        title: expect.stringMatching(/^postgres: /),
        nice: SERVICE_NICENESS,
        session: refusal === undefined ? SESSION_NICENESS : expect.any(Number),
      },
    ]);
    expect((await migrateAppDb(url, { beforeApplying: lowerAndRead })).applied).toEqual([]);
    expect(told).toHaveLength(1);
    // A process that is not a PostgreSQL server keeps its priority, whatever pid it is handed as.
    const other = spawn('/bin/sleep', ['30'], { stdio: 'ignore' });
    try {
      lowerPostgresBackend(other.pid!, SERVICE_NICENESS);
      expect(niceOf(other.pid!)).toBe(0);
    } finally {
      other.kill();
    }
  });

  it('treats a second start as a no-op and a second stop likewise', async () => {
    const before = (await ops.router.invoke('stack.status', {})).services.map((s) => s.pid);
    const again = await ops.router.invoke('stack.start', {});
    expect(again.services.map((s) => s.pid)).toEqual(before);
    await ops.router.invoke('stack.stop', {});
    const twice = await ops.router.invoke('stack.stop', {});
    expect(twice.state).toBe('stopped');
  });

  it('leaves no process and no open port after stop', async () => {
    const status = await ops.router.invoke('stack.status', {});
    expect(status.services.every((s) => s.state === 'stopped')).toBe(true);
    for (const s of status.services) expect(await isPortFree(s.port as number)).toBe(true);
    const stray = fs
      .readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(ops.stack.spec().dataDir);
        } catch {
          return false;
        }
      });
    expect(stray).toEqual([]);
  });

  it('restarts after a crash: a killed Temporal server is reported, and start brings it back', async () => {
    await ops.router.invoke('stack.start', {});
    const temporal = (await ops.router.invoke('stack.status', {})).services.find((s) => s.id === 'temporal')!;
    process.kill(temporal.pid as number, 'SIGKILL');
    while (alive(temporal.pid as number)) await new Promise((r) => setTimeout(r, 20));
    const after = await ops.router.invoke('stack.status', {});
    expect(after.state).toBe('degraded');
    expect(after.services.find((s) => s.id === 'temporal')?.state).toBe('stopped');
    const restarted = await ops.router.invoke('stack.start', {});
    expect(restarted.state).toBe('running');
    expect(restarted.services.find((s) => s.id === 'temporal')?.pid).not.toBe(temporal.pid);
  });
  it('warm-starts over a missing Temporal database: the server booted early is stopped, the schema set up, then it starts', async () => {
    await ops.router.invoke('stack.start', {});
    const temporal = (await ops.router.invoke('stack.status', {})).services.find((s) => s.id === 'temporal')!;
    process.kill(temporal.pid as number, 'SIGKILL');
    while (alive(temporal.pid as number)) await new Promise((r) => setTimeout(r, 20));
    const spec = ops.stack.spec();
    const client = new pg.Client({ connectionString: postgresUrl(spec.temporalPostgres, 'postgres') });
    await client.connect();
    try {
      await client.query('DROP DATABASE temporal_visibility WITH (FORCE)');
    } finally {
      await client.end();
    }
    await ops.router.invoke('stack.stop', {});
    const warm = await ops.router.invoke('stack.start', {});
    expect(warm.state).toBe('running');
    expect(warm.steps.find((s) => s.id === 'schema')?.detail).toBe('set up temporal_visibility');
    const report = await ops.router.invoke('stack.validate', {});
    expect(report.checks.filter((c) => c.status !== 'healthy')).toEqual([]);
  });
});
