// npm run bench:stack-start — cold and warm start of the local provider to all-healthy, against the same
// components started by hand with the same settings in the same run (the floor). Prints BENCH lines.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import { createConsole } from '../dist-bench/back-end.mjs';
import { freePort, freeStackPorts, median, scratchHome, sleep } from './support.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PG = '/usr/lib/postgresql/15/bin';
const OPS = path.resolve('.ops');
const asRoot = process.getuid() === 0;
const pgUser = asRoot
  ? {
      uid: Number(execFileSync('id', ['-u', 'postgres'])),
      gid: Number(execFileSync('id', ['-g', 'postgres'])),
    }
  : {};

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: 'pipe', cwd: '/', ...opts });

function scratch() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-bench-'));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** The console: cold start (fresh data) and warm start (existing data), each to all-healthy. */
async function consoleRun() {
  const home = await scratchHome('ops-bench-');
  const ops = createConsole({ mode: 'cli', dataDir: home, env: {} });
  let t = performance.now();
  await ops.router.invoke('stack.start', {});
  const cold = (performance.now() - t) / 1000;
  await ops.router.invoke('stack.stop', {});
  t = performance.now();
  await ops.router.invoke('stack.start', {});
  const warm = (performance.now() - t) / 1000;
  await ops.router.invoke('stack.stop', {});
  await ops.shutdown();
  fs.rmSync(home, { recursive: true, force: true });
  return { cold, warm };
}

/** The floor: the same components by hand, with the same settings, the way an operator would script it. */
async function handRun() {
  const base = scratch();
  const ports = await freeStackPorts();
  const password = 'bench-' + Math.random().toString(36).slice(2);
  const clusters = [
    { dir: path.join(base, 'app'), port: ports.appPostgres, dbs: ['synapse_dt'] },
    { dir: path.join(base, 'tpg'), port: ports.temporalPostgres, dbs: ['temporal', 'temporal_visibility'] },
  ];
  const spec = {
    temporalPostgres: { port: ports.temporalPostgres, user: 'ops', password },
    temporal: { port: ports.temporal },
  };
  const { writeTemporalConfig } = await import('../dist-bench/back-end.mjs');
  const tdir = path.join(base, 'temporal');
  const internal = {};
  for (const k of ['frontendHttp', 'history', 'matching', 'worker']) internal[k] = await freePort();
  let member = 21000 + Math.floor(Math.random() * 9000);
  const tports = {
    frontend: ports.temporal,
    ...internal,
    frontendMembership: member++,
    historyMembership: member++,
    matchingMembership: member++,
    workerMembership: member++,
  };

  const startPg = (c) =>
    new Promise((resolve, reject) => {
      const p = spawn(
        `${PG}/pg_ctl`,
        [
          '-D',
          c.dir,
          '-l',
          `${c.dir}.log`,
          '-o',
          `-c listen_addresses=127.0.0.1 -c port=${c.port} -c unix_socket_directories=${c.dir}`,
          '-w',
          'start',
        ],
        { ...pgUser, cwd: '/', stdio: 'ignore', detached: true },
      );
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error('pg_ctl start failed'))));
    });
  const startTemporal = async () => {
    const log = fs.openSync(path.join(tdir, 'server.log'), 'a');
    const server = spawn(
      path.join(OPS, 'bin', 'temporal-server'),
      ['--root', tdir, '--config', 'config', '--env', 'development', '--allow-no-auth', 'start'],
      {
        env: { ...process.env, OPS_TEMPORAL_DB_PASSWORD: password },
        stdio: ['ignore', log, log],
        detached: true,
        cwd: tdir,
      },
    );
    let exited = false;
    server.once('exit', () => (exited = true));
    for (;;) {
      if (exited)
        throw new Error(`the hand-started temporal-server exited; see ${path.join(tdir, 'server.log')}`);
      // Probed as the console probes (a fresh channel without retries, every 50 ms): Connection.connect alone
      // waits for gRPC's one-second reconnect after the first refused connection.
      const probe = Connection.lazy({ address: `127.0.0.1:${ports.temporal}`, interceptors: [] });
      try {
        await probe.withDeadline(Date.now() + 1000, () => probe.workflowService.getSystemInfo({}));
      } catch {
        await sleep(50);
        continue;
      } finally {
        await probe.close();
      }
      const c = await Connection.connect({ address: `127.0.0.1:${ports.temporal}`, connectTimeout: 1000 });
      return { server, c };
    }
  };
  const psqlEnv = { ...process.env, PGPASSWORD: password };

  // Cold: initdb, start, create databases, schema, server, namespace usable.
  let t = performance.now();
  const pw = path.join(base, 'pw');
  fs.writeFileSync(pw, password);
  if (asRoot) fs.chownSync(pw, pgUser.uid, pgUser.gid);
  if (asRoot) fs.chownSync(base, pgUser.uid, pgUser.gid);
  await Promise.all(
    clusters.map((c) =>
      new Promise((resolve, reject) => {
        const p = spawn(
          `${PG}/initdb`,
          ['-D', c.dir, '-U', 'ops', `--pwfile=${pw}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C'],
          { ...pgUser, cwd: '/', stdio: 'ignore' },
        );
        p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error('initdb failed'))));
      }).then(() => startPg(c)),
    ),
  );
  for (const c of clusters)
    for (const db of c.dbs)
      run(
        `${PG}/psql`,
        [
          '-h',
          '127.0.0.1',
          '-p',
          String(c.port),
          '-U',
          'ops',
          '-d',
          'postgres',
          '-c',
          `CREATE DATABASE ${db}`,
        ],
        { env: psqlEnv },
      );
  for (const [db, schema] of [
    ['temporal', 'temporal'],
    ['temporal_visibility', 'visibility'],
  ]) {
    const args = [
      '--plugin',
      'postgres12',
      '--ep',
      '127.0.0.1',
      '-p',
      String(ports.temporalPostgres),
      '-u',
      'ops',
      '--db',
      db,
    ];
    const env = { ...process.env, SQL_PASSWORD: password };
    run(path.join(OPS, 'bin', 'temporal-sql-tool'), [...args, 'setup-schema', '-v', '0.0'], { env });
    run(
      path.join(OPS, 'bin', 'temporal-sql-tool'),
      [...args, 'update-schema', '-d', path.join(OPS, 'schema', 'postgresql', 'v12', schema, 'versioned')],
      { env },
    );
  }
  writeTemporalConfig(tdir, spec, tports);
  let { server, c } = await startTemporal();
  await c.workflowService.registerNamespace({
    namespace: 'default',
    workflowExecutionRetentionPeriod: msToTs(72 * 3600 * 1000),
  });
  for (;;) {
    try {
      await c.workflowService.countWorkflowExecutions({ namespace: 'default' });
      break;
    } catch {
      await sleep(100);
    }
  }
  const cold = (performance.now() - t) / 1000;
  await c.close();

  const stopAll = async () => {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    for (const cl of clusters) run(`${PG}/pg_ctl`, ['-D', cl.dir, '-m', 'fast', '-w', 'stop'], pgUser);
  };
  await stopAll();

  // Warm: start both clusters and the server until the namespace answers.
  t = performance.now();
  await Promise.all(clusters.map(startPg));
  ({ server, c } = await startTemporal());
  await c.workflowService.describeNamespace({ namespace: 'default' });
  const warm = (performance.now() - t) / 1000;
  await c.close();
  await stopAll();
  fs.rmSync(base, { recursive: true, force: true });
  return { cold, warm };
}

const ours = [];
const floor = [];
for (let i = 0; i < RUNS; i++) {
  floor.push(await handRun());
  ours.push(await consoleRun());
}
const c = median(ours.map((r) => r.cold));
const w = median(ours.map((r) => r.warm));
const fc = median(floor.map((r) => r.cold));
const fw = median(floor.map((r) => r.warm));
console.log(
  `baseline: the same components started by hand with the same settings (median of ${RUNS}): cold ${fc.toFixed(2)} s, warm ${fw.toFixed(2)} s`,
);
console.log(`BENCH stack_cold_s ${c.toFixed(2)} s`);
console.log(`BENCH stack_warm_s ${w.toFixed(2)} s`);
console.log(`BENCH stack_cold_floor_s ${fc.toFixed(2)} s`);
console.log(`BENCH stack_warm_floor_s ${fw.toFixed(2)} s`);
console.log(`BENCH stack_cold_ratio ${(c / fc).toFixed(2)} x`);
console.log(`BENCH stack_warm_ratio ${(w / fw).toFixed(2)} x`);
process.exit(0);
