// npm run bench:backup — backup and restore of both databases with >= 1 GB of app data: the console's backup set
// (verification and checksums included) side by side with what an operator types by hand: `pg_dump -Fc` with
// defaults and a single-job `pg_restore` of that file; plus the best hand-tuned dump found (directory format,
// 2 jobs, gzip level 1). Prints BENCH lines.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createConsole, resolveBinaries } from '../dist/bench-support.mjs';

const GIB = 1024 ** 3;
const TARGET_BYTES = Number(process.env.BENCH_APP_BYTES ?? 1.05 * GIB);
const TABLES = 4;

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

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

async function timed(what, work) {
  const t0 = performance.now();
  await work();
  const s = (performance.now() - t0) / 1000;
  console.log(`${what}: ${s.toFixed(1)} s`);
  return s;
}

const dirBytes = (p) =>
  fs.statSync(p).isDirectory()
    ? fs.readdirSync(p).reduce((n, f) => n + dirBytes(path.join(p, f)), 0)
    : fs.statSync(p).size;

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-bench-backup-'));
fs.chmodSync(home, 0o755);
fs.writeFileSync(
  path.join(home, 'settings.json'),
  JSON.stringify({
    stack: {
      ports: {
        appPostgres: await freePort(),
        temporalPostgres: await freePort(),
        temporal: await freePort(),
        temporalUi: await freePort(),
      },
    },
  }),
);
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-bench-dumps-'));
const ops = createConsole({ mode: 'cli', dataDir: home, env: {} });

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
  const perTable = Math.ceil(TARGET_BYTES / TABLES / 300);
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

  // Hand-typed: pg_dump -Fc with defaults, one file per database.
  const plainDir = path.join(scratch, 'plain');
  fs.mkdirSync(plainDir);
  const plainBackup = await timed('plain pg_dump -Fc (defaults), both DBs', async () => {
    for (const { ep, db } of all)
      await run(bin.pgDump, [...conn(ep, db), '-Fc', '-f', path.join(plainDir, `${db}.dump`)], pwd(ep));
  });
  const plainBytes = dirBytes(plainDir);

  // Hand-tuned: directory format, 2 jobs, gzip level 1.
  const tunedDir = path.join(scratch, 'tuned');
  fs.mkdirSync(tunedDir);
  const tunedBackup = await timed('tuned pg_dump -Fd -j2 -Z1, both DBs', async () => {
    for (const { ep, db } of all)
      await run(
        bin.pgDump,
        [...conn(ep, db), '-Fd', '-j', '2', '-Z1', '-f', path.join(tunedDir, db)],
        pwd(ep),
      );
  });
  fs.rmSync(tunedDir, { recursive: true, force: true });

  let set;
  const oursBackup = await timed(
    'console backup set (quiesced, hashed, content checksums), both DBs',
    async () => {
      set = await ops.router.invoke('backups.create', { kinds: ['app', 'temporal'], jobs: 2 });
    },
  );

  // Hand-typed restore: a new database and a single-job pg_restore of the -Fc file.
  const plainRestore = await timed('plain pg_restore (single job) into new databases, both DBs', async () => {
    for (const { ep, db } of all) {
      const c = new pg.Client({ ...ep, database: 'postgres' });
      await c.connect();
      await c.query(`CREATE DATABASE bench_plain_${db}`);
      await c.end();
      await run(
        bin.pgRestore,
        [...conn(ep, `bench_plain_${db}`), path.join(plainDir, `${db}.dump`)],
        pwd(ep),
      );
    }
  });
  for (const { ep, db } of all) {
    const c = new pg.Client({ ...ep, database: 'postgres' });
    await c.connect();
    await c.query(`DROP DATABASE bench_plain_${db}`);
    await c.end();
  }

  let result;
  const oursRestore = await timed(
    'console restore (full-read verify, restore into new DBs, checksums, swap, Temporal restart, validation)',
    async () => {
      result = await ops.router.invoke('backups.restore', {
        setId: set.id,
        confirm: all.map((a) => a.db),
      });
    },
  );
  console.log(
    `restored with ${result.checksumsMatched} table checksums matched; validation ${result.validation}`,
  );

  console.log(
    `baseline: plain = pg_dump -Fc with defaults and single-job pg_restore of that file (app + temporal + temporal_visibility, ${(plainBytes / GIB).toFixed(2)} GiB of dumps); tuned = pg_dump -Fd -j2 -Z1; ${os.cpus().length} cores shared; one run; targets backup <= 0.8x plain, restore <= 1.0x plain`,
  );
  console.log(`BENCH backup_s ${oursBackup.toFixed(2)} s`);
  console.log(`BENCH backup_ratio ${(oursBackup / plainBackup).toFixed(3)} x`);
  console.log(`BENCH backup_ratio_tuned ${(oursBackup / tunedBackup).toFixed(3)} x`);
  console.log(`BENCH restore_s ${oursRestore.toFixed(2)} s`);
  console.log(`BENCH restore_ratio ${(oursRestore / plainRestore).toFixed(3)} x`);
  console.log(`BENCH size_ratio ${(set.bytes / plainBytes).toFixed(3)} x`);
} finally {
  await ops.router.call('stack.stop', {});
  await ops.shutdown();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(scratch, { recursive: true, force: true });
}
