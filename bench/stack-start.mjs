// npm run bench:stack-start — cold and warm start of the local provider to all-healthy, against the floor: the same
// components started by hand in the same run, with the same server settings (every -c option the console passes to
// PostgreSQL, checked against the console's own postmaster.opts; the same Temporal and Web UI config) and the same
// parallelism (both clusters at once; each cluster's databases in one session, both clusters at once). Prints where
// each side's time goes, BENCH lines, and the 1-minute load average beside each figure.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import YAML from 'yaml';
import { UI_POLL_MS, createConsole, localClusters, writeTemporalConfig } from '../dist-bench/back-end.mjs';
import { freePort, freeStackPorts, median, scratchHome, sleep } from './support.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Warm starts after each cold start (a warm start is short: more of them make its median steadier). */
const WARM_RUNS = Number(process.env.BENCH_WARM_RUNS ?? 3);
const PG = '/usr/lib/postgresql/15/bin';
const OPS = path.resolve('.ops');
const UI_BIN = path.join(OPS, 'bin', 'temporal-ui-server');
const asRoot = process.getuid() === 0;
const pgUser = asRoot
  ? {
      uid: Number(execFileSync('id', ['-u', 'postgres'])),
      gid: Number(execFileSync('id', ['-g', 'postgres'])),
    }
  : {};
/** The server options the console passes to both clusters with archiving off (checked against the console's run). */
const pgOptions = (port, socketDir) => [
  '-c listen_addresses=127.0.0.1',
  `-c port=${port}`,
  `-c unix_socket_directories=${socketDir}`,
  "-c log_line_prefix='%m [%p] '",
  '-c wal_level=minimal',
  '-c max_wal_senders=0',
];

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: 'pipe', cwd: '/', ...opts });
/** A command to its end, asynchronously (so parallel steps really overlap). */
const exec = (cmd, args, opts = {}) =>
  new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: '/', stdio: ['ignore', 'ignore', 'pipe'], ...opts });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(
            new Error(`${path.basename(cmd)} ${args.slice(0, 3).join(' ')}: exit ${code} ${err.trim()}`),
          ),
    );
  });
const load1 = () => os.loadavg()[0];

function scratch() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-bench-'));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** The -c settings of a running cluster's command line (postmaster.opts), as sorted name=value pairs. */
function settingsOf(dataDir) {
  const opts = fs.readFileSync(path.join(dataDir, 'postmaster.opts'), 'utf8');
  return [...opts.matchAll(/"-c" "([^=]+)=([^"]*)"/g)]
    .filter((m) => !['port', 'unix_socket_directories'].includes(m[1]))
    .map((m) => `${m[1]}=${m[2]}`)
    .sort();
}

/** Seconds each start step took, from the console's step list. */
const stepTimes = (steps) =>
  Object.fromEntries(
    steps
      .filter((x) => x.startedAt && x.finishedAt)
      .map((x) => [x.id, (Date.parse(x.finishedAt) - Date.parse(x.startedAt)) / 1000]),
  );

let consoleSettings;

/** The console: cold start (fresh data) and warm start (existing data), each to all-healthy. */
async function consoleRun() {
  const home = await scratchHome('ops-bench-');
  const ops = createConsole({ mode: 'cli', dataDir: home, env: {} });
  try {
    let t = performance.now();
    await ops.router.invoke('stack.start', {});
    const cold = (performance.now() - t) / 1000;
    const coldSteps = stepTimes(ops.stack.status().steps);
    const services = ops.stack.status().services.map((s) => s.id + ':' + s.state);
    if (!services.includes('temporal-ui:running'))
      throw new Error(`the console did not start the Web UI (${services.join(', ')}); the floor starts it`);
    const clusters = await localClusters(ops.stack);
    consoleSettings = [clusters.app, clusters.tpg].map((c) => settingsOf(c.dataDir));
    await ops.router.invoke('stack.stop', {});
    const warm = [];
    const warmSteps = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      t = performance.now();
      await ops.router.invoke('stack.start', {});
      warm.push((performance.now() - t) / 1000);
      warmSteps.push(stepTimes(ops.stack.status().steps));
      await ops.router.invoke('stack.stop', {});
    }
    return { cold, warm, coldSteps, warmSteps };
  } finally {
    await ops.shutdown();
    fs.rmSync(home, { recursive: true, force: true });
  }
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
  const tdir = path.join(base, 'temporal');
  const uidir = path.join(base, 'temporal-ui');
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
    exec(
      `${PG}/pg_ctl`,
      ['-D', c.dir, '-l', `${c.dir}.log`, '-o', pgOptions(c.port, c.dir).join(' '), '-w', 'start'],
      { ...pgUser, detached: true },
    );
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
      // Probed as the console probes (a fresh channel without retries, every 50 ms: Connection.connect alone
      // waits for gRPC's one-second reconnect after the first refused connection); the channel that answers is
      // kept for the namespace, as the console keeps it.
      const probe = Connection.lazy({ address: `127.0.0.1:${ports.temporal}`, interceptors: [] });
      try {
        await probe.withDeadline(Date.now() + 1000, () => probe.workflowService.getSystemInfo({}));
        return { server, c: probe };
      } catch {
        await probe.close();
        await sleep(50);
      }
    }
  };
  /** The Web UI with the console's config, until / answers (polled as the console polls it, every UI_POLL_MS). */
  const startUi = async () => {
    fs.mkdirSync(path.join(uidir, 'config'), { recursive: true });
    fs.writeFileSync(
      path.join(uidir, 'config', 'development.yaml'),
      YAML.stringify({
        temporalGrpcAddress: `127.0.0.1:${ports.temporal}`,
        host: '127.0.0.1',
        port: ports.temporalUi,
        enableUi: true,
        defaultNamespace: 'default',
        hideLogs: true,
      }),
    );
    const log = fs.openSync(path.join(uidir, 'server.log'), 'a');
    const ui = spawn(UI_BIN, ['--root', uidir, '--config', 'config', '--env', 'development', 'start'], {
      stdio: ['ignore', log, log],
      detached: true,
      cwd: uidir,
    });
    let exited = false;
    ui.once('exit', () => (exited = true));
    for (;;) {
      if (exited) throw new Error(`the hand-started Web UI exited; see ${path.join(uidir, 'server.log')}`);
      try {
        if ((await fetch(`http://127.0.0.1:${ports.temporalUi}/`, { signal: AbortSignal.timeout(1000) })).ok)
          return ui;
      } catch {
        // not up yet
      }
      await sleep(UI_POLL_MS);
    }
  };
  const psqlEnv = { ...process.env, PGPASSWORD: password };
  const phases = {};
  let mark = performance.now();
  const phase = (name) => {
    const now = performance.now();
    phases[name] = (now - mark) / 1000;
    mark = now;
  };

  // Cold: initdb, start, create databases, schema, server, namespace usable, Web UI answering.
  const t0 = performance.now();
  mark = t0;
  const pw = path.join(base, 'pw');
  fs.writeFileSync(pw, password);
  if (asRoot) fs.chownSync(pw, pgUser.uid, pgUser.gid);
  if (asRoot) fs.chownSync(base, pgUser.uid, pgUser.gid);
  await Promise.all(
    clusters.map((c) =>
      exec(
        `${PG}/initdb`,
        ['-D', c.dir, '-U', 'ops', `--pwfile=${pw}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C'],
        pgUser,
      ).then(() => startPg(c)),
    ),
  );
  phase('postgres');
  // One session per cluster (as the console does), both clusters at once.
  await Promise.all(
    clusters.map((c) =>
      exec(
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
          '-v',
          'ON_ERROR_STOP=1',
          ...c.dbs.flatMap((db) => ['-c', `CREATE DATABASE ${db}`]),
        ],
        { env: psqlEnv },
      ),
    ),
  );
  phase('databases');
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
  phase('schema');
  writeTemporalConfig(tdir, spec, tports);
  let { server, c } = await startTemporal();
  phase('temporal');
  // The namespace and the Web UI side by side, as the console runs them.
  const registered = (async () => {
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
  })();
  let [, ui] = await Promise.all([registered, startUi()]);
  phase('namespace+ui');
  const cold = (performance.now() - t0) / 1000;
  const coldSteps = { ...phases };
  await c.close();

  const stopAll = async () => {
    ui.kill('SIGTERM');
    await new Promise((r) => ui.once('exit', r));
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    for (const cl of clusters) run(`${PG}/pg_ctl`, ['-D', cl.dir, '-m', 'fast', '-w', 'stop'], pgUser);
  };
  await stopAll();

  // Warm: start both clusters, the server until it answers, then the namespace described and the Web UI answering
  // side by side (as the console runs them).
  const warm = [];
  const warmSteps = [];
  for (let i = 0; i < WARM_RUNS; i++) {
    const t1 = performance.now();
    mark = t1;
    await Promise.all(clusters.map(startPg));
    phase('postgres');
    ({ server, c } = await startTemporal());
    phase('temporal');
    [, ui] = await Promise.all([c.workflowService.describeNamespace({ namespace: 'default' }), startUi()]);
    phase('namespace+ui');
    warm.push((performance.now() - t1) / 1000);
    warmSteps.push({
      postgres: phases.postgres,
      temporal: phases.temporal,
      'namespace+ui': phases['namespace+ui'],
    });
    await c.close();
    await stopAll();
  }
  fs.rmSync(base, { recursive: true, force: true });
  return { cold, warm, coldSteps, warmSteps };
}

const ours = [];
const floor = [];
const loads = [];
for (let i = 0; i < RUNS; i++) {
  loads.push(load1());
  // Alternate which side goes first, so neither always meets the other engineers' load or the page cache first.
  if (i % 2 === 0) {
    floor.push(await handRun());
    ours.push(await consoleRun());
  } else {
    ours.push(await consoleRun());
    floor.push(await handRun());
  }
  loads.push(load1());
}
// The floor must pass what the console passes: the same -c settings (ports and socket folders aside).
const floorSettings = pgOptions(1, '/x')
  .map((o) => o.slice(3).replace(/'/g, ''))
  .filter((o) => !/^(port|unix_socket_directories)=/.test(o))
  .sort();
for (const s of consoleSettings)
  if (s.join() !== floorSettings.join())
    throw new Error(
      `the console passed PostgreSQL ${s.join(', ')}; the floor passes ${floorSettings.join(', ')}: make them the same`,
    );
/** Each step's median over the runs, by step id in the order the first run took them. */
const medianSteps = (stepSets) =>
  Object.keys(stepSets[0]).map((id) => [id, median(stepSets.map((x) => x[id] ?? 0))]);
const text = (steps) => steps.map(([id, v]) => `${id} ${v.toFixed(2)}`).join(', ');
const steps = {
  console_cold: medianSteps(ours.map((r) => r.coldSteps)),
  floor_cold: medianSteps(floor.map((r) => r.coldSteps)),
  console_warm: medianSteps(ours.flatMap((r) => r.warmSteps)),
  floor_warm: medianSteps(floor.flatMap((r) => r.warmSteps)),
};
for (const [side, list] of Object.entries(steps))
  console.log(`${side.replace('_', ' ')} steps (s, median): ${text(list)}`);
console.log(
  `runs (s, cold/warm…): ${ours.map((r, i) => `console ${r.cold.toFixed(2)}/${r.warm.map((x) => x.toFixed(2)).join('/')} floor ${floor[i].cold.toFixed(2)}/${floor[i].warm.map((x) => x.toFixed(2)).join('/')}`).join('; ')}`,
);
const c = median(ours.map((r) => r.cold));
const w = median(ours.flatMap((r) => r.warm));
const fc = median(floor.map((r) => r.cold));
const fw = median(floor.flatMap((r) => r.warm));
const load = median(loads).toFixed(2);
console.log(
  `baseline: the same components (both PostgreSQL clusters, Temporal server, Web UI) started by hand in the same run, interleaved with the console's runs (alternating which goes first), with the console's server settings (${floorSettings.join(', ')}; the same Temporal and Web UI config) and parallelism (clusters at once; one session per cluster for its databases, both at once; the namespace and the Web UI side by side), each part waited for as an operator's script does: PostgreSQL by pg_ctl -w, Temporal and the Web UI probed as the console probes them (a fresh gRPC channel every 50 ms, its answering channel kept for the namespace; the page every ${UI_POLL_MS} ms). Median of ${RUNS} cold and ${RUNS * WARM_RUNS} warm starts: cold ${fc.toFixed(2)} s, warm ${fw.toFixed(2)} s. The console's time also counts its own checks (databases, schema, namespace) and app DB migrations.`,
);
const bench = (name, value, unit) => {
  console.log(`BENCH ${name} ${value} ${unit}`);
  console.log(`BENCH load_avg_1m ${load} load`);
};
for (const [side, list] of Object.entries(steps)) {
  const [who, kind] = side.split('_');
  for (const [id, v] of list)
    console.log(`BENCH stack_${kind}_step_${id.replace(/\W/g, '_')}_${who}_s ${v.toFixed(3)} s`);
}
bench('stack_cold_s', c.toFixed(2), 's');
bench('stack_warm_s', w.toFixed(2), 's');
bench('stack_cold_floor_s', fc.toFixed(2), 's');
bench('stack_warm_floor_s', fw.toFixed(2), 's');
bench('stack_cold_ratio', (c / fc).toFixed(2), 'x');
bench('stack_warm_ratio', (w / fw).toFixed(2), 'x');
process.exit(0);
