// npm run bench:pitr — point-in-time recovery of both clusters to a moment WINDOW after a base backup, taken under
// a steady cycle load, against the floor: the same base backups and archive restored by hand (copy, recovery.signal,
// restore_command, start, wait for promotion; both clusters in parallel), median of 3 rounds interleaved with the
// console's 3. Also archiving's cost on cycle throughput (archiving on vs off, same batches). Prints BENCH lines,
// each with the 1-minute load average beside it.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createConsole, localClusters } from '../dist-bench/back-end.mjs';
import { cycleBatches, freePort, median, scratchHome, sleep, waitForWorker } from './support.mjs';

const WINDOW_S = Number(process.env.BENCH_PITR_WINDOW_S ?? 600);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 20);
const RECOVERIES = Number(process.env.BENCH_RECOVERIES ?? 3);
const PG = '/usr/lib/postgresql/15/bin';

const home = await scratchHome('ops-bench-pitr-', {
  archiving: { enabled: true, segmentTimeoutS: 60, baseBackupEveryH: 0, keepBaseBackups: 5 },
});
const ops = createConsole({ mode: 'browser', dataDir: home, env: {} });
const cycles = cycleBatches(ops, { count: CYCLES, firstCycleId: 1 });
const batch = () => cycles.run();

async function setArchiving(enabled) {
  await ops.router.invoke('settings.update', { stack: { archiving: { enabled } } });
  await ops.router.invoke('stack.stop', {});
  await ops.router.invoke('stack.start', {});
  await waitForWorker(ops);
}

/** A command to its end (asynchronous, so the two clusters' copies really run at once). */
const exec = (cmd, args, options) =>
  new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { ...options, cwd: '/', stdio: 'ignore' });
    p.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}`)),
    );
  });

async function query(port, c, sql) {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: c.user,
    password: c.password,
    database: 'postgres',
  });
  await client.connect();
  try {
    return (await client.query(sql)).rows[0];
  } finally {
    await client.end();
  }
}

/** The floor: the same base backup and archive, restored by hand into scratch folders, both clusters at once. */
async function handRecovery(to, clusters) {
  const runAs =
    process.getuid() === 0
      ? {
          uid: Number(execFileSync('id', ['-u', 'postgres'])),
          gid: Number(execFileSync('id', ['-g', 'postgres'])),
        }
      : {};
  const t = performance.now();
  await Promise.all(
    clusters.map(async (c) => {
      const dir = path.join(c.dir, `bench-floor-${Date.now()}`);
      await exec('cp', ['-a', c.backupDir, dir], runAs);
      fs.writeFileSync(path.join(dir, 'recovery.signal'), '');
      fs.appendFileSync(
        path.join(dir, 'postgresql.auto.conf'),
        `\nrestore_command = 'cp ${c.archiveDir}/%f "%p"'\nrecovery_target_time = '${to.replace('T', ' ').replace('Z', '+00')}'\nrecovery_target_action = 'promote'\nrecovery_target_timeline = 'latest'\n`,
      );
      const port = await freePort();
      await new Promise((resolve, reject) => {
        const p = spawn(
          `${PG}/pg_ctl`,
          [
            '-D',
            dir,
            '-l',
            `${dir}.log`,
            '-o',
            `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=/tmp`,
            '-w',
            '-t',
            '600',
            'start',
          ],
          { ...runAs, cwd: '/', stdio: 'ignore' },
        );
        p.on('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`hand recovery of ${c.id} failed; see ${dir}.log`)),
        );
      });
      for (;;) {
        const r = await query(port, c, 'SELECT pg_is_in_recovery() AS r');
        if (!r.r) break;
        await sleep(20); // as the console polls
      }
      c.floorDir = dir;
    }),
  );
  const seconds = (performance.now() - t) / 1000;
  for (const c of clusters) {
    execFileSync(`${PG}/pg_ctl`, ['-D', c.floorDir, '-m', 'immediate', '-w', 'stop'], {
      ...runAs,
      cwd: '/',
      stdio: 'ignore',
    });
    fs.rmSync(c.floorDir, { recursive: true, force: true });
  }
  return seconds;
}

try {
  await ops.router.invoke('stack.start', {});
  await waitForWorker(ops);
  await ops.router.invoke('workflows.createDemoData', { reports: 3 });
  await batch(); // warm-up

  // Archiving's cost on throughput: alternate on/off.
  const on = [];
  const off = [];
  for (let r = 0; r < 2; r++) {
    on.push(await batch());
    await setArchiving(false);
    off.push(await batch());
    await setArchiving(true);
    console.log(`round ${r + 1}: archiving on ${on.at(-1).toFixed(2)}/s, off ${off.at(-1).toFixed(2)}/s`);
  }

  // Steady load for WINDOW seconds after a base backup, then recover to base backup + WINDOW.
  const [backup] = await ops.router.invoke('recovery.baseBackup', {});
  const to = new Date(Date.parse(backup.finishedAt) + WINDOW_S * 1000).toISOString();
  console.log(`steady load for ${WINDOW_S} s, then recovery to ${to}`);
  const client = await ops.cycles.client();
  let loading = true;
  const load = (async () => {
    while (loading) {
      const ids = [];
      for (let i = 0; i < 4; i++)
        ids.push(
          (
            await ops.cycles.start({
              cycleId: cycles.takeId(),
              reportIds: [1, 2, 3],
              skipPhases: [],
              autoApprove: true,
            })
          ).workflowId,
        );
      await Promise.all(ids.map((id) => client.workflow.getHandle(id).result()));
    }
  })();
  // A failure of the load is raised at `await load` below (inside the try, so the stack is still cleaned up).
  load.catch(() => undefined);
  while (Date.now() < Date.parse(to) + 3_000) await sleep(500);
  loading = false;
  await load;
  const clusters = await localClusters(ops.stack);
  const spec = ops.stack.spec();
  const backups = (await ops.router.invoke('recovery.timeline', {})).baseBackups;
  const floorInput = [clusters.app, clusters.tpg].map((c) => ({
    id: c.id,
    dir: c.dir,
    archiveDir: c.archiveDir,
    backupDir: path.join(
      c.baseBackupDir,
      backups.filter((b) => b.cluster === c.id && b.finishedAt <= to).at(-1).label,
    ),
    user: 'ops',
    password: c.id === 'app-postgres' ? spec.appPostgres.password : spec.temporalPostgres.password,
  }));
  const segments =
    fs.readdirSync(clusters.app.archiveDir).length + fs.readdirSync(clusters.tpg.archiveDir).length;

  // The console's recovery and the floor, interleaved: console, floor, console, floor, … (the same target each time).
  const ours = [];
  const floors = [];
  const restorePhases = [];
  const loads = [];
  for (let round = 0; round < RECOVERIES; round++) {
    loads.push(os.loadavg()[0]);
    const phases = {};
    const unsubscribe = ops.router.events.subscribe((name, p) => {
      if (name === 'recovery.progress') phases[`${p.step}:${p.state}`] = performance.now();
    });
    const t = performance.now();
    await ops.router.invoke('recovery.recover', { to, inclusive: true, confirm: true });
    const seconds = (performance.now() - t) / 1000;
    unsubscribe();
    ours.push(seconds);
    {
      // Every round's own lines (where a slow round loses its time); the clusters' lines for the first only.
      const since = new Date(Date.now() - seconds * 1000).toISOString();
      const sources = ['stack', 'worker', 'recovery'];
      if (round === 0) sources.push('app-postgres', 'temporal-postgres');
      const lines = sources
        .flatMap((source) => ops.logs.recent({ source, limit: 400 }))
        .filter((l) => l.ts >= since)
        .sort((a, b) => a.ts.localeCompare(b.ts));
      console.log(
        `log during recovery ${round + 1}:\n${lines.map((l) => `  ${l.ts.slice(11, 23)} ${l.source}: ${l.message.slice(0, 150)}`).join('\n')}`,
      );
    }
    if (round === 0) {
      const took = (x) => ((Date.parse(x.finishedAt) - Date.parse(x.startedAt)) / 1000).toFixed(2);
      console.log(
        `stack start steps after the swap (s): ${ops.stack
          .status()
          .steps.filter((x) => x.startedAt && x.finishedAt)
          .map((x) => `${x.id} ${took(x)}`)
          .join(', ')}`,
      );
    }
    // The restore proper (both clusters copied and replayed, in parallel), without the stack stop/swap/start.
    const restoreStart = Math.min(
      phases['restore app-postgres:running'],
      phases['restore temporal-postgres:running'],
    );
    const restoreEnd = Math.max(
      phases['restore app-postgres:done'],
      phases['restore temporal-postgres:done'],
    );
    if (!Number.isFinite(restoreEnd - restoreStart))
      throw new Error(`the recovery reported no restore steps: ${Object.keys(phases).join(', ')}`);
    console.log(
      `recovery ${round + 1} steps (s from the call): ${Object.entries(phases)
        .map(([k, v]) => `${k} ${((v - t) / 1000).toFixed(2)}`)
        .join(', ')}`,
    );
    restorePhases.push((restoreEnd - restoreStart) / 1000);
    floors.push(await handRecovery(to, floorInput));
    loads.push(os.loadavg()[0]);
    console.log(
      `round ${round + 1}: console ${seconds.toFixed(2)} s (restore phase ${restorePhases.at(-1).toFixed(2)} s), floor ${floors.at(-1).toFixed(2)} s`,
    );
  }
  const oursS = median(ours);
  const floor = median(floors);
  const restorePhase = median(restorePhases);
  const loadLine = `BENCH load_avg_1m ${median(loads).toFixed(2)} load`;

  const onR = median(on);
  const offR = median(off);
  console.log(
    `baseline: recovery floor = the same base backups and ${segments} archived files restored by hand (cp -a, recovery.signal, restore_command, pg_ctl start, wait for promotion), both clusters in parallel, to the same target; median of ${RECOVERIES} rounds interleaved with the console's ${RECOVERIES} (console, floor, console, floor, …). The console's time includes the stack stop/swap/start, validation and reconciliation. Throughput: ${CYCLES}-cycle batches, archiving on vs off, median of 2.`,
  );
  const line = (text) => {
    console.log(text);
    console.log(loadLine);
  };
  line(`BENCH pitr_window_s ${WINDOW_S} s`);
  line(`BENCH pitr_recover_s ${oursS.toFixed(2)} s`);
  line(`BENCH pitr_recover_floor_s ${floor.toFixed(2)} s`);
  line(`BENCH pitr_recover_ratio ${(oursS / floor).toFixed(2)} x`);
  line(`BENCH pitr_restore_phase_s ${restorePhase.toFixed(2)} s`);
  line(`BENCH pitr_restore_phase_ratio ${(restorePhase / floor).toFixed(2)} x`);
  line(`BENCH cycles_per_s_archiving ${onR.toFixed(3)} cycles/s`);
  line(`BENCH cycles_per_s_no_archiving ${offR.toFixed(3)} cycles/s`);
  line(`BENCH archiving_throughput_ratio ${(onR / offR).toFixed(3)} x`);
} finally {
  await ops.router.call('stack.stop', {});
  await ops.shutdown();
  fs.rmSync(home, { recursive: true, force: true });
}
