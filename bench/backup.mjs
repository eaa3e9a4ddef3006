// npm run bench:backup — backup and restore of both databases with >= 1 GB of app data: the console's backup set
// (verification and checksums included) side by side with what an operator types by hand: `pg_dump -Fc` with
// defaults and a single-job `pg_restore` of that file; plus the best hand-tuned dump found (directory format,
// 2 jobs, gzip level 1) and its `pg_restore -j2` into new databases. All interleaved in the same run. Prints where
// the console's backup time goes, and BENCH lines; exits non-zero when the setup is broken.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { backupProfile, createConsole, resolveBinaries } from '../dist-bench/back-end.mjs';
import { median, scratchHome } from './support.mjs';

const GIB = 1024 ** 3;
const TARGET_BYTES = Number(process.env.BENCH_APP_BYTES ?? 1.05 * GIB);
const TABLES = 4;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1)
  throw new Error(
    `BENCH_ROUNDS must be a whole number of rounds, 1 or more (got ${process.env.BENCH_ROUNDS}).`,
  );

function run(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)}: ${err}`)),
    );
  });
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function timed(what, work) {
  const t0 = performance.now();
  await work();
  const s = (performance.now() - t0) / 1000;
  console.log(`${what}: ${s.toFixed(1)} s (load average ${load()})`);
  return s;
}

/** What was recorded in the round whose time is the median of `roundTimes`. */
const medianRound = (records, roundTimes) =>
  records.map((r, i) => ({ r, t: roundTimes[i] })).sort((a, b) => a.t - b.t)[Math.floor(records.length / 2)]
    .r;

const dirBytes = (p) =>
  fs.statSync(p).isDirectory()
    ? fs.readdirSync(p).reduce((n, f) => n + dirBytes(path.join(p, f)), 0)
    : fs.statSync(p).size;

console.log(`load average at start: ${load()}`);
const loadAtStart = os.loadavg()[0];
/**
 * CPU seconds of the client programs (pg_dump, pg_restore, igzip) that run while `work` does, whoever starts them:
 * /proc sampled every 20 ms by a process of its own (so the sampling is not counted as the console's), each
 * program counted at its last reading before it ends (a few ms each may be missed, alike for ours and the
 * baselines). The services' own processes (postgres, Temporal, the worker) are not counted.
 */
const SAMPLER = `
const fs = require('fs');
const PROGRAMS = new Set(['pg_dump', 'pg_restore', 'igzip']);
const pids = () => fs.readdirSync('/proc').filter((d) => /^[0-9]+$/.test(d));
const before = new Set(pids());
const seen = new Map();
const timer = setInterval(() => {
  for (const pid of pids()) {
    if (before.has(pid)) continue;
    try {
      const stat = fs.readFileSync('/proc/' + pid + '/stat', 'utf8');
      if (!PROGRAMS.has(stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')))) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      seen.set(pid, (Number(f[11]) + Number(f[12])) / 100);
    } catch {}
  }
}, 20);
process.stdout.write('ready\\n');
process.stdin.on('end', () => {
  clearInterval(timer);
  process.stdout.write(String([...seen.values()].reduce((a, b) => a + b, 0)) + '\\n');
});
process.stdin.resume();
`;
async function programsCpuS(work) {
  const sampler = spawn(process.execPath, ['-e', SAMPLER], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  sampler.stdout.on('data', (d) => (out += d));
  await new Promise((resolve, reject) => {
    sampler.stdout.once('data', resolve);
    sampler.once('close', () => reject(new Error('the CPU sampler did not start')));
  });
  try {
    await work();
  } finally {
    sampler.stdin.end();
    await new Promise((resolve) => sampler.on('close', resolve));
  }
  return Number(out.split('\n')[1]);
}

const home = await scratchHome('ops-bench-backup-');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-bench-dumps-'));
const ops = createConsole({ mode: 'cli', dataDir: home, env: {} });

// Where the console's time goes: each job step with its duration, printed as the step ends.
let step = { name: '', at: 0 };
// A restore's window with the worker stopped: from the worker's stop (before the first swap) to the stack's
// validation.
const stoppedWindows = [];
let stoppedAt = 0;
ops.router.events.subscribe((name, job) => {
  if (name !== 'backup.job' || job.step === step.name) return;
  const now = performance.now();
  if (step.name) console.log(`  · ${step.name}: ${((now - step.at) / 1000).toFixed(1)} s`);
  step = { name: job.step, at: now };
  // The worker stops just before the first swap.
  if (!stoppedAt && /swapping in/i.test(job.step)) stoppedAt = now;
  if (job.step === 'Validating the stack' && stoppedAt) {
    stoppedWindows.push((now - stoppedAt) / 1000);
    stoppedAt = 0;
  }
});

try {
  await ops.router.invoke('stack.start', {});
  const spec = ops.stack.spec();
  const bin = resolveBinaries(ops.settings.get());
  const app = spec.appPostgres;
  const tpg = spec.temporalPostgres;
  const all = [{ ep: app, db: app.database }, ...tpg.databases.map((db) => ({ ep: tpg, db }))];
  const conn = (ep, db) => ['-h', ep.host, '-p', String(ep.port), '-U', ep.user, '-d', db];
  const pwd = (ep) => ({ PGPASSWORD: ep.password });

  // App data: wide rows of mixed types, compressible about as much as real business data (not a repeated string).
  const perTable = Math.ceil(TARGET_BYTES / TABLES / 205);
  await timed(`generating ${TABLES} scratch tables in ${app.database}`, () =>
    Promise.all(
      Array.from({ length: TABLES }, async (_, i) => {
        const c = new pg.Client({ ...app, database: app.database });
        await c.connect();
        await c.query(`DROP TABLE IF EXISTS bench_scratch_${i}`);
        await c.query(
          `CREATE TABLE bench_scratch_${i} (id bigint PRIMARY KEY, code text, note text, amount numeric(14,2),
             at timestamptz, attrs jsonb)`,
        );
        await c.query(
          `INSERT INTO bench_scratch_${i}
           SELECT g, md5(g::text), md5((g * 7)::text) || ' ' || md5((g * 13)::text) || ' record ' || (g % 977),
                  (g % 100000) / 3.0, timestamptz '2026-01-01' + g * interval '17 seconds',
                  jsonb_build_object('owner', g % 211, 'region', 'r' || (g % 17), 'flag', g % 3 = 0)
             FROM generate_series(1, $1::bigint) g`,
          [perTable],
        );
        await c.query(`ANALYZE bench_scratch_${i}`);
        await c.end();
      }),
    ),
  );
  const sizeCheck = new pg.Client({ ...app, database: app.database });
  await sizeCheck.connect();
  const { rows } = await sizeCheck.query(
    `SELECT sum(pg_table_size(c.oid))::bigint AS heap, pg_database_size(current_database())::bigint AS db
       FROM pg_class c WHERE c.relname LIKE 'bench_scratch_%' AND c.relkind = 'r'`,
  );
  await sizeCheck.end();
  console.log(
    `app data: ${(Number(rows[0].heap) / GIB).toFixed(2)} GiB in the scratch tables (database ${(Number(rows[0].db) / GIB).toFixed(2)} GiB with indexes)`,
  );

  // The machine is shared: each variant runs ROUNDS times, interleaved and in a rotating order, and the
  // median counts. Our restore always replaces the live databases (the replaced ones are dropped after).
  const plainDir = path.join(scratch, 'plain');
  const tunedDir = path.join(scratch, 'tuned');
  const admin = async (ep, sql) => {
    const c = new pg.Client({ ...ep, database: 'postgres' });
    await c.connect();
    try {
      return await c.query(sql);
    } finally {
      await c.end();
    }
  };
  const backups = {
    // Hand-typed: pg_dump -Fc with defaults, one file per database.
    plain: async () => {
      fs.rmSync(plainDir, { recursive: true, force: true });
      fs.mkdirSync(plainDir);
      for (const { ep, db } of all)
        await run(bin.pgDump, [...conn(ep, db), '-Fc', '-f', path.join(plainDir, `${db}.dump`)], pwd(ep));
    },
    // Hand-tuned: directory format, 2 jobs, gzip level 1.
    tuned: async () => {
      fs.rmSync(tunedDir, { recursive: true, force: true });
      fs.mkdirSync(tunedDir);
      const programs = await programsCpuS(async () => {
        for (const { ep, db } of all)
          await run(
            bin.pgDump,
            [...conn(ep, db), '-Fd', '-j', '2', '-Z1', '-f', path.join(tunedDir, db)],
            pwd(ep),
          );
      });
      tunedClientCpuS.push(programs);
    },
    ours: async () => {
      // CPU of this process (the console runs in it): main thread, data threads and zlib's threads together.
      const cpu = process.cpuUsage();
      const elu = performance.eventLoopUtilization();
      const programs = await programsCpuS(async () => {
        set = await ops.router.invoke('backups.create', { kinds: ['app', 'temporal'], jobs: 2 });
      });
      const used = process.cpuUsage(cpu);
      profiles.push({
        ...backupProfile.last,
        consoleCpuMs: (used.user + used.system) / 1000,
        childrenCpuMs: programs * 1000,
        mainThreadMs: performance.eventLoopUtilization(elu).active,
      });
    },
  };
  let set;
  const profiles = [];
  const tunedClientCpuS = [];
  const times = { plain: [], tuned: [], ours: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const order = ['plain', 'tuned', 'ours'];
    for (let k = 0; k < r % 3; k++) order.push(order.shift());
    for (const name of order) times[name].push(await timed(`backup round ${r + 1} ${name}`, backups[name]));
  }
  const plainBytes = dirBytes(plainDir);

  const restores = {
    // Hand-tuned restore: a new database and pg_restore -j2 of the -Fd dump, one database after the other.
    tuned: async () => {
      const programs = await programsCpuS(async () => {
        for (const { ep, db } of all) {
          await admin(ep, `CREATE DATABASE bench_tuned_${db}`);
          await run(
            bin.pgRestore,
            [...conn(ep, `bench_tuned_${db}`), '-j', '2', path.join(tunedDir, db)],
            pwd(ep),
          );
        }
      });
      tunedRestoreClientCpuS.push(programs);
    },
    // Hand-typed restore: a new database and a single-job pg_restore of the -Fc file.
    plain: async () => {
      for (const { ep, db } of all) {
        await admin(ep, `CREATE DATABASE bench_plain_${db}`);
        await run(
          bin.pgRestore,
          [...conn(ep, `bench_plain_${db}`), path.join(plainDir, `${db}.dump`)],
          pwd(ep),
        );
      }
    },
    ours: async () => {
      const cpu = process.cpuUsage();
      const elu = performance.eventLoopUtilization();
      const programs = await programsCpuS(async () => {
        result = await ops.router.invoke('backups.restore', { setId: set.id, confirm: all.map((a) => a.db) });
      });
      const used = process.cpuUsage(cpu);
      restoreCpu.push({
        consoleCpuMs: (used.user + used.system) / 1000,
        childrenCpuMs: programs * 1000,
        mainThreadMs: performance.eventLoopUtilization(elu).active,
      });
    },
  };
  let result;
  const restoreCpu = [];
  const tunedRestoreClientCpuS = [];
  const restoreTimes = { plain: [], tuned: [], ours: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const order = ['plain', 'tuned', 'ours'];
    for (let k = 0; k < r % 3; k++) order.push(order.shift());
    for (const name of order) {
      restoreTimes[name].push(await timed(`restore round ${r + 1} ${name}`, restores[name]));
      // Each variant's copies go before the next runs (dropping is nobody's restore time).
      for (const { ep, db } of all) {
        await admin(ep, `DROP DATABASE IF EXISTS bench_plain_${db}`);
        await admin(ep, `DROP DATABASE IF EXISTS bench_tuned_${db}`);
      }
    }
    for (const l of await ops.router.invoke('backups.leftovers', {}))
      await ops.router.invoke('backups.dropLeftover', { database: l.database });
  }
  console.log(
    `restored with ${result.checksumsMatched} tables matched (file sha256 and row count); validation ${result.validation}`,
  );

  const plainBackup = median(times.plain);
  const tunedBackup = median(times.tuned);
  const oursBackup = median(times.ours);
  const plainRestore = median(restoreTimes.plain);
  const tunedRestore = median(restoreTimes.tuned);
  const oursRestore = median(restoreTimes.ours);
  // Where the console's backup time went (median round): pg_dump's run, then what the console adds after it.
  const mid = medianRound(profiles, times.ours);
  console.log(
    `ours, where the time goes (median round; databases side by side, so the parts overlap): pg_dump runs ${(mid.dumpMs / 1000).toFixed(1)} s summed over the databases; ` +
      `sha256 of the written files ${(mid.hashMs / 1000).toFixed(1)} s and content checksums ${(mid.checksumMs / 1000).toFixed(1)} s of CPU, both in the same pass as the dump's bytes; ` +
      `compression still running after pg_dump exits ${(mid.compressTailMs / 1000).toFixed(1)} s; fsync ${(mid.fsyncMs / 1000).toFixed(1)} s; ` +
      `table of contents and small files ${(mid.tocMs / 1000).toFixed(1)} s; manifest and final sync ${(mid.manifestMs / 1000).toFixed(2)} s; ` +
      `the console's process used ${(mid.consoleCpuMs / 1000).toFixed(1)} s of CPU (all its threads), its main thread was busy ${(mid.mainThreadMs / 1000).toFixed(1)} s, the programs it ran (pg_dump, igzip, pg_restore) ${(mid.childrenCpuMs / 1000).toFixed(1)} s, against ${median(tunedClientCpuS).toFixed(1)} s of the tuned pg_dump's processes; ` +
      `${(mid.bytesIn / GIB).toFixed(2)} GiB of COPY text in, ${(mid.bytesOut / GIB).toFixed(2)} GiB written`,
  );
  console.log(`BENCH backup_dump_s ${(mid.dumpMs / 1000).toFixed(2)} s`);
  console.log(`BENCH backup_hash_cpu_s ${(mid.hashMs / 1000).toFixed(2)} s`);
  console.log(`BENCH backup_checksum_cpu_s ${(mid.checksumMs / 1000).toFixed(2)} s`);
  console.log(`BENCH backup_compress_tail_s ${(mid.compressTailMs / 1000).toFixed(2)} s`);
  console.log(`BENCH backup_fsync_s ${(mid.fsyncMs / 1000).toFixed(2)} s`);
  console.log(`BENCH backup_manifest_s ${(mid.manifestMs / 1000).toFixed(2)} s`);
  console.log(`BENCH backup_console_cpu_s ${(mid.consoleCpuMs / 1000).toFixed(2)} s`);
  console.log(`BENCH backup_main_thread_s ${(mid.mainThreadMs / 1000).toFixed(2)} s`);
  // Client-side CPU of the whole backup: the console and the programs it ran, against the tuned pg_dump's.
  console.log(`BENCH backup_client_cpu_s ${((mid.consoleCpuMs + mid.childrenCpuMs) / 1000).toFixed(2)} s`);
  console.log(`BENCH backup_tuned_client_cpu_s ${median(tunedClientCpuS).toFixed(2)} s`);
  // The restore's median round: the console's CPU (all threads; the files' hashing, decompression and COPY run in
  // its data threads) and how long its main thread, which serves the views, was busy.
  const midRestore = medianRound(restoreCpu, restoreTimes.ours);
  console.log(`BENCH restore_console_cpu_s ${(midRestore.consoleCpuMs / 1000).toFixed(2)} s`);
  console.log(`BENCH restore_main_thread_s ${(midRestore.mainThreadMs / 1000).toFixed(2)} s`);
  // Client-side CPU of the whole restore: the console and the programs it ran (pg_restore), against the tuned
  // pg_restore's.
  console.log(
    `BENCH restore_client_cpu_s ${((midRestore.consoleCpuMs + midRestore.childrenCpuMs) / 1000).toFixed(2)} s`,
  );
  console.log(`BENCH restore_tuned_client_cpu_s ${median(tunedRestoreClientCpuS).toFixed(2)} s`);
  console.log(`BENCH restore_stopped_window_s ${median(stoppedWindows).toFixed(2)} s`);
  console.log(
    `baseline: plain = pg_dump -Fc with defaults and single-job pg_restore of that file into a new database; tuned = pg_dump -Fd -j2 -Z1 and pg_restore -j2 of that folder into a new database (app + temporal + temporal_visibility, one database after the other; ${(plainBytes / GIB).toFixed(2)} GiB of -Fc dumps); medians of ${ROUNDS} interleaved rounds in rotating order on ${os.cpus().length} shared cores, load average ${load()}; ours includes verification (sha256 per file, per-table content checksum and row count, manifest, fsync), worker stop/start, Temporal stop/start, the swap, validation and reconciliation; targets backup <= 0.8x plain and <= 1.0x tuned, restore <= 1.0x plain and <= 1.0x tuned`,
  );
  console.log(`BENCH backup_s ${oursBackup.toFixed(2)} s`);
  console.log(`BENCH backup_ratio ${(oursBackup / plainBackup).toFixed(3)} x`);
  console.log(`BENCH backup_ratio_tuned ${(oursBackup / tunedBackup).toFixed(3)} x`);
  console.log(`BENCH restore_s ${oursRestore.toFixed(2)} s`);
  console.log(`BENCH restore_ratio ${(oursRestore / plainRestore).toFixed(3)} x`);
  console.log(`BENCH restore_ratio_tuned ${(oursRestore / tunedRestore).toFixed(3)} x`);
  console.log(`BENCH size_ratio ${(set.bytes / plainBytes).toFixed(3)} x`);
  console.log(`BENCH load_avg_start ${loadAtStart.toFixed(2)} load`);
  console.log(`BENCH load_avg_end ${os.loadavg()[0].toFixed(2)} load`);
} finally {
  await ops.router.call('stack.stop', {});
  await ops.shutdown();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(scratch, { recursive: true, force: true });
}
