// Backup sets of both databases on the real embedded stack: round trip, in-flight cycle after a Temporal DB
// restore, refusals that change nothing, and kill -9 of the console midway through a backup and a restore.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupJob, BackupManifest, BackupSetSummary } from '../../../main/api/contract';
import type { JobRegistry } from '../../../main/backup/jobs';
import { optionalProgram, resolveBinaries } from '../../../main/stack';
import {
  ChecksumQueue,
  createDatabase,
  dropDatabase,
  liveChecksums,
  quoteLiteral,
  withClient,
} from '../../../main/backup/database';
import { CopyPool } from '../../../main/backup/restore-pipeline';
import { finishLoad, loadSchemaAndData, type LoadOptions } from '../../../main/backup/load';
import { readManifest } from '../../../main/backup/sets';
import { compareLive } from '../../../main/backup/verify';
import { setContentAlgorithm } from '../../../main/backup/content-hash';
import { dumpFollowing, startProfile } from '../../../main/backup/dump-pipeline';
import { dumpGzip } from '../../../main/backup/dump';
import { FollowPool } from '../../../main/backup/follow-worker';
import { LocalTools } from '../../../main/stack/local/pg-tools';
import {
  finishSteps,
  outcome,
  rows,
  startCycleStack,
  waitFor,
  type CycleStack,
} from '../../support/cycle-stack';

let s: CycleStack;
let both: BackupSetSummary;
let inFlight: string;

const root = () => path.join(s.ops.dataDir, 'backups');
const tools = (kind: 'app' | 'temporal' = 'app') => {
  const spec = s.ops.stack.spec();
  return new LocalTools(
    resolveBinaries(s.ops.settings.get()),
    kind === 'app' ? spec.appPostgres : spec.temporalPostgres,
  );
};

async function appFingerprint(): Promise<string> {
  const spec = s.ops.stack.spec();
  const sums = await liveChecksums(tools(), spec.appPostgres, spec.appPostgres.database);
  return JSON.stringify([...sums.entries()].sort());
}

/** The live Temporal databases' oids: a swap gives them new ones, a swap put back the old ones. */
async function temporalOids(): Promise<Array<{ datname: string; oid: number }>> {
  const c = new pg.Client({ ...s.ops.stack.spec().temporalPostgres, database: 'postgres' });
  await c.connect();
  try {
    return (
      await c.query<{ datname: string; oid: number }>(
        `SELECT datname, oid::int FROM pg_database WHERE datname IN ('temporal', 'temporal_visibility') ORDER BY 1`,
      )
    ).rows;
  } finally {
    await c.end();
  }
}

/** COPY text of `n` rows of t (id int, note text), the ids from `from` on. */
const copyText = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => `${from + i}\tnote ${from + i}\n`).join('');

/** The rows in table t of an app-cluster database. */
const rowsOfT = (database: string) =>
  withClient(s.ops.stack.spec().appPostgres, database, async (c) =>
    Number((await c.query('SELECT count(*) FROM t')).rows[0].count),
  );

async function databases(kind: 'app' | 'temporal'): Promise<string[]> {
  const spec = s.ops.stack.spec();
  const ep = kind === 'app' ? spec.appPostgres : spec.temporalPostgres;
  const c = new pg.Client({ ...ep, database: 'postgres' });
  await c.connect();
  try {
    return (await c.query<{ datname: string }>('SELECT datname FROM pg_database')).rows.map((r) => r.datname);
  } finally {
    await c.end();
  }
}

/** A copy of a set under a new id, with its manifest changed by `edit` (files rehashed unless told not to). */
function tamperedCopy(from: string, suffix: string, edit: (m: BackupManifest, dir: string) => void): string {
  const id = `${from}-${suffix}`;
  const dir = path.join(root(), id);
  fs.cpSync(path.join(root(), from), dir, { recursive: true });
  fs.rmSync(path.join(dir, 'verification.json'), { force: true });
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
  m.id = id;
  edit(m, dir);
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
  return id;
}

function biggestDataFile(dir: string): string {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.dat.gz'));
  return path.join(
    dir,
    files.sort((a, b) => fs.statSync(path.join(dir, b)).size - fs.statSync(path.join(dir, a)).size)[0]!,
  );
}

async function refusedWithoutChange(setId: string, code: string, kinds?: Array<'app' | 'temporal'>) {
  const before = await appFingerprint();
  const names = await databases('app');
  const r = await s.ops.router.call('backups.restore', {
    setId,
    kinds,
    confirm: ['synapse_dt', 'temporal', 'temporal_visibility'],
  });
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.error.code).toBe(code);
  expect(await appFingerprint()).toBe(before);
  expect(await databases('app')).toEqual(names);
  return r;
}

function cli(args: string[]) {
  const child = spawn(process.execPath, ['dist/cli.mjs', '--home', s.ops.dataDir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, output: () => out };
}

beforeAll(async () => {
  s = await startCycleStack();
  // The swap terminates the sessions of the replaced database, this pool's idle ones included.
  s.db.on('error', () => undefined);
  await s.ops.router.invoke('workflows.createDemoData', { reports: 3 });
  const done = await s.ops.router.invoke('workflows.start', {
    cycleId: 701,
    reportIds: [1, 2, 3],
    skipPhases: [],
    autoApprove: true,
  });
  expect((await outcome(s.ops, done.workflowId)).ok).toBe(true);
  inFlight = (
    await s.ops.router.invoke('workflows.start', {
      cycleId: 702,
      reportIds: [1, 2],
      skipPhases: [],
      autoApprove: false,
    })
  ).workflowId;
  await waitFor(
    async () =>
      (
        await rows(
          s.db,
          `SELECT 1 FROM workflow_steps WHERE workflow_id = $1 AND step = 'scope_approval' AND status = 'waiting'`,
          [inFlight],
        )
      ).length > 0,
    60_000,
    'the in-flight cycle to wait for scope approval',
  );
});

afterAll(async () => {
  await s?.stop();
});

describe('backup sets', () => {
  it('backs up both databases with the worker quiesced, and the manifest describes every table', async () => {
    both = await s.ops.router.invoke('backups.create', {});
    expect(both.kinds).toEqual(['app', 'temporal']);
    expect(both.quiesced).toBe(true);
    expect(both.verification?.ok).toBe(true);
    const m = JSON.parse(fs.readFileSync(path.join(both.path, 'manifest.json'), 'utf8')) as BackupManifest;
    expect(m.databases.map((d) => d.database)).toEqual(['synapse_dt', 'temporal', 'temporal_visibility']);
    const app = m.databases[0]!;
    expect(app.appMigrationVersion).toMatch(/^0\d{3}_/);
    expect(app.serverMajor).toBe(15);
    expect(app.tables.find((t) => t.name === 'test_cycles')?.rows).toBe(2);
    expect(m.databases[1]!.temporalSchemaVersion).toMatch(/^\d+\.\d+/);
    // The manifest's content checksums are those of the live app DB (the worker is waiting: nothing moves).
    const spec = s.ops.stack.spec();
    const live = await liveChecksums(tools(), spec.appPostgres, 'synapse_dt');
    for (const t of app.tables)
      expect(live.get(`${t.schema}.${t.name}`), t.name).toEqual({ rows: t.rows, checksum: t.checksum });
    expect(fs.readdirSync(root()).filter((n) => n.endsWith('.partial'))).toEqual([]);
    expect(s.ops.worker.current().state).toBe('running');
  });

  it('verifies a set with a trial restore whose checksums match the manifest', async () => {
    const v = await s.ops.router.invoke('backups.verify', { setId: both.id, trialRestore: true });
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect((await databases('app')).filter((d) => d.includes('_verify_'))).toEqual([]);
  });
});

describe("a restore lane's COPY in its data thread", () => {
  it('loads a file of several gzip members, reports its sha256 and row count, and a damaged, refused or stopped one commits nothing', async () => {
    const ep = s.ops.stack.spec().appPostgres;
    const name = `thread_copy_${Date.now()}`;
    await createDatabase(ep, name);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-thread-copy-'));
    const pool = new CopyPool(2);
    try {
      await withClient(ep, name, (c) => c.query('CREATE TABLE t (id int, note text)'));
      const count = () => rowsOfT(name);
      // Two members, as the backup writes blocks: read as one stream.
      const gz = Buffer.concat([
        zlib.gzipSync(copyText(0, 60_000)),
        zlib.gzipSync(copyText(60_000, 40_000) + '\\.\n'),
      ]);
      const good = path.join(dir, '1.dat.gz');
      fs.writeFileSync(good, gz);
      const table = (file: string) => ({
        conn: { ...ep, database: name },
        file,
        gz: true,
        begin: 'BEGIN; TRUNCATE ONLY t',
        copy: 'COPY t (id, note) FROM STDIN WITH (FREEZE)',
      });
      let bytes = 0;
      const done = await pool.copy(0, table(good), (n) => (bytes += n));
      expect(done).toEqual({ sha256: crypto.createHash('sha256').update(gz).digest('hex'), rows: 100_000 });
      expect(bytes).toBe(gz.length);
      expect(await count()).toBe(100_000);

      // Cut in the middle: the decompression fails, the transaction (and its TRUNCATE) rolls back.
      const damaged = path.join(dir, '2.dat.gz');
      fs.writeFileSync(damaged, gz.subarray(0, Math.floor(gz.length / 2)));
      await expect(pool.copy(1, table(damaged), () => undefined)).rejects.toThrow(
        /unexpected end|incorrect|invalid/i,
      );
      expect(await count()).toBe(100_000);

      // Whole gzip but a row the server refuses: the server's reason, and nothing committed.
      const refused = path.join(dir, '3.dat.gz');
      fs.writeFileSync(
        refused,
        zlib.gzipSync(copyText(0, 50_000) + 'not a number\tx\n' + copyText(50_000, 50_000)),
      );
      await expect(pool.copy(1, table(refused), () => undefined)).rejects.toThrow(
        /invalid input syntax for type integer/,
      );
      expect(await count()).toBe(100_000);

      // Stopped by its signal: the same, and the lane's next table goes through on a new session.
      const stop = new AbortController();
      await expect(pool.copy(0, table(good), () => stop.abort(), stop.signal)).rejects.toThrow(/stopped/);
      expect(await count()).toBe(100_000);
      expect((await pool.copy(0, table(good), () => undefined)).rows).toBe(100_000);
    } finally {
      await pool.close();
      await dropDatabase(ep, name);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a restore lane's COPY through a named pipe the server reads", () => {
  it('loads a file the same way, and a damaged, refused or stopped one commits nothing and leaves no pipe or igzip behind', async () => {
    const ep = s.ops.stack.spec().appPostgres;
    // The local provider's servers run on this machine: its tools say where they can open a pipe of ours.
    const at = (await s.ops.stack.provider()).pgTools('app-postgres', ep).serverPipes;
    expect(at, 'the local provider offers server pipes').toBeDefined();
    const program = optionalProgram('igzip');
    expect(program, 'install isal: bash resources/provision.sh').toMatch(/igzip$/);
    const name = `pipe_copy_${Date.now()}`;
    await createDatabase(ep, name);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-pipe-copy-'));
    fs.chmodSync(dir, 0o755);
    const pool = new CopyPool(2);
    const conn = { ...ep, database: name };
    const pipePath = path.join(at!.dir, `${name}.1.pipe`);
    try {
      await withClient(ep, name, (c) => c.query('CREATE TABLE t (id int, note text)'));
      const count = () => rowsOfT(name);
      const gz = Buffer.concat([zlib.gzipSync(copyText(0, 60_000)), zlib.gzipSync(copyText(60_000, 40_000))]);
      const good = path.join(dir, '1.dat.gz');
      fs.writeFileSync(good, gz);
      const table = (file: string) => ({
        conn,
        file,
        gz: true,
        begin: 'BEGIN; TRUNCATE ONLY t',
        copy: 'COPY t (id, note) FROM STDIN WITH (FREEZE)',
        pipe: {
          path: pipePath,
          owner: at!.owner,
          program: program!,
          copy: `COPY t (id, note) FROM ${quoteLiteral(pipePath)} WITH (FREEZE)`,
        },
      });
      const igzipsOn = (file: string) =>
        fs
          .readdirSync('/proc')
          .filter((p) => /^\d+$/.test(p))
          .filter((p) => {
            try {
              return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').includes(file);
            } catch {
              return false;
            }
          });
      let bytes = 0;
      const done = await pool.copy(0, table(good), (n) => (bytes += n));
      expect(done).toEqual({ sha256: crypto.createHash('sha256').update(gz).digest('hex'), rows: 100_000 });
      expect(bytes).toBe(gz.length);
      expect(await count()).toBe(100_000);
      expect(fs.existsSync(pipePath)).toBe(false);

      // Cut in the middle: igzip fails, the server's data ends early, and the transaction rolls back.
      const damaged = path.join(dir, '2.dat.gz');
      fs.writeFileSync(damaged, gz.subarray(0, Math.floor(gz.length / 2)));
      await expect(pool.copy(1, table(damaged), () => undefined)).rejects.toThrow(/igzip failed/);
      expect(await count()).toBe(100_000);

      // Whole gzip but a row the server refuses: the server's reason (not igzip's broken pipe).
      const refused = path.join(dir, '3.dat.gz');
      fs.writeFileSync(
        refused,
        zlib.gzipSync(copyText(0, 50_000) + 'not a number\tx\n' + copyText(50_000, 400_000)),
      );
      await expect(pool.copy(1, table(refused), () => undefined)).rejects.toThrow(
        /invalid input syntax for type integer/,
      );
      expect(await count()).toBe(100_000);

      // Stopped by its signal as its first bytes are read: igzip is killed, nothing is committed, and the lane's
      // next table goes through on a new session.
      const big = path.join(dir, '4.dat.gz');
      fs.writeFileSync(big, zlib.gzipSync(copyText(0, 1_000_000)));
      const stop = new AbortController();
      await expect(pool.copy(0, table(big), () => stop.abort(), stop.signal)).rejects.toThrow(/stopped/);
      expect(await count()).toBe(100_000);
      expect((await pool.copy(0, table(good), () => undefined)).rows).toBe(100_000);
      for (const f of [good, damaged, refused, big]) expect(igzipsOn(f)).toEqual([]);
      expect(fs.existsSync(pipePath)).toBe(false);

      // A COPY the server refuses before it opens the pipe (no such table) does not leave the pipe's open waiting.
      const missing = { ...table(good), begin: 'BEGIN' };
      missing.pipe.copy = `COPY no_such_table FROM ${quoteLiteral(pipePath)}`;
      await expect(pool.copy(1, missing, () => undefined)).rejects.toThrow(/no_such_table/);
      expect(fs.existsSync(pipePath)).toBe(false);
    } finally {
      await pool.close();
      await dropDatabase(ep, name);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a table's own indexes built as soon as its data is in", () => {
  const load = (setId: string, database: string): LoadOptions => {
    const manifest = readManifest(root(), setId);
    const db = manifest.databases.find((d) => d.kind === 'app')!;
    const dir = path.join(root(), setId, db.archive);
    const toc = spawnSync(resolveBinaries(s.ops.settings.get()).pgRestore, [
      '-l',
      '-v',
      dir,
    ]).stdout.toString();
    // Every table counts as big here, so each one's own indexes build while the others load.
    return {
      tools: tools(),
      endpoint: s.ops.stack.spec().appPostgres,
      database,
      dir,
      db,
      toc,
      earlyMinBytes: 0,
    };
  };
  const definitions = (database: string) =>
    withClient(s.ops.stack.spec().appPostgres, database, async (c) =>
      (
        await c.query<{ d: string }>(
          `SELECT indexdef AS d FROM pg_indexes WHERE schemaname = 'public'
           UNION ALL SELECT conrelid::regclass || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
            WHERE connamespace = 'public'::regnamespace ORDER BY 1`,
        )
      ).rows.map((r) => r.d),
    );

  it('ends with the same indexes and constraints as the backed-up database, foreign keys after the keys they use', async () => {
    const ep = s.ops.stack.spec().appPostgres;
    const name = `early_${Date.now()}`;
    await createDatabase(ep, name);
    try {
      const o = load(both.id, name);
      const loaded = await loadSchemaAndData(o);
      await loaded.ownBuilt;
      // The primary keys of the tables with rows, at least, built as the data came in.
      expect(loaded.built.size).toBeGreaterThan(5);
      await finishLoad(o, loaded);
      expect(await definitions(name)).toEqual(await definitions(ep.database));
    } finally {
      await dropDatabase(ep, name);
    }
  });

  it('gives the same database when every table goes through a named pipe the server reads', async () => {
    const ep = s.ops.stack.spec().appPostgres;
    const name = `piped_${Date.now()}`;
    await createDatabase(ep, name);
    try {
      const o: LoadOptions = {
        ...load(both.id, name),
        tools: (await s.ops.stack.provider()).pgTools('app-postgres', ep),
        pipeMinBytes: 0,
      };
      const loaded = await loadSchemaAndData(o);
      await finishLoad(o, loaded);
      const gz = o.db.files.filter((f) => f.path.endsWith('.dat.gz')).length;
      expect(gz).toBeGreaterThan(5);
      expect(loaded.piped.size).toBe(gz);
      expect(await definitions(name)).toEqual(await definitions(ep.database));
      // Every table's rows and content checksum are the manifest's.
      const queue = new ChecksumQueue(tools(), ep, name, undefined, setContentAlgorithm(o.db));
      expect(await compareLive(queue, name, o.db)).toEqual([]);
    } finally {
      await dropDatabase(ep, name);
    }
  });

  it("fails at the first broken build, naming it: a data file whose rows break its table's primary key", async () => {
    const ep = s.ops.stack.spec().appPostgres;
    const id = tamperedCopy(both.id, 'dup-key', (m, dir) => {
      const db = m.databases.find((d) => d.kind === 'app')!;
      const table = db.tables.find((t) => t.name === 'workflow_steps')!;
      const file = db.files.find((f) => f.path.endsWith(`/${table.dumpId}.dat.gz`))!;
      const text = zlib.gunzipSync(fs.readFileSync(path.join(dir, file.path))).toString();
      // The first row twice: the same COPY text otherwise, so only the key can object.
      const data = zlib.gzipSync(text.slice(0, text.indexOf('\n') + 1) + text);
      fs.writeFileSync(path.join(dir, file.path), data);
      file.size = data.length;
      file.sha256 = crypto.createHash('sha256').update(data).digest('hex');
      table.rows += 1;
    });
    const name = `early_dup_${Date.now()}`;
    await createDatabase(ep, name);
    try {
      const o = load(id, name);
      await expect(loadSchemaAndData(o).then((loaded) => finishLoad(o, loaded))).rejects.toThrow(
        /could not create unique index "workflow_steps_pkey"/,
      );
    } finally {
      await dropDatabase(ep, name);
      fs.rmSync(path.join(root(), id), { recursive: true, force: true });
    }
  });
});

describe('a set read by plain pg_restore', () => {
  // zlib writes a big file as several gzip members; igzip (when the machine has it) as one stream.
  it.each([
    ['zlib', { ...dumpGzip(), program: undefined }],
    ['igzip', dumpGzip()],
  ] as const)(
    "restores a table whose data file %s compressed with the operator's own pg_restore",
    async (label, gzip) => {
      if (label === 'igzip')
        expect(gzip.program, 'install isal: bash resources/provision.sh').toMatch(/igzip$/);
      const spec = s.ops.stack.spec();
      const ep = spec.appPostgres;
      const admin = new pg.Client({ ...ep, database: 'postgres' });
      await admin.connect();
      for (const db of ['bulk_src', 'bulk_copy']) await admin.query(`DROP DATABASE IF EXISTS ${db}`);
      await admin.query('CREATE DATABASE bulk_src');
      await admin.query('CREATE DATABASE bulk_copy');
      const src = new pg.Client({ ...ep, database: 'bulk_src' });
      await src.connect();
      const fingerprint = `SELECT count(*)::int AS n, md5(string_agg(id || ':' || note, ',' ORDER BY id)) AS sum FROM notes`;
      try {
        // About 12 MB of COPY text: three compression blocks.
        await src.query(
          `CREATE TABLE notes (id int PRIMARY KEY, note text);
         INSERT INTO notes SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 110000) g`,
        );
        const dir = path.join(s.ops.dataDir, 'bulk-archive');
        fs.rmSync(dir, { recursive: true, force: true });
        const pool = new FollowPool(2);
        try {
          await dumpFollowing({
            tools: tools(),
            database: 'bulk_src',
            dir,
            archive: 'bulk_src',
            jobs: 2,
            signal: new AbortController().signal,
            pool,
            profile: startProfile(),
            onTableDone: () => undefined,
            onBytes: () => undefined,
            gzip,
          });
        } finally {
          await pool.close();
        }
        const data = fs.readdirSync(dir).filter((n) => n.endsWith('.dat.gz'));
        expect(data.length).toBe(1);
        const gz = fs.readFileSync(path.join(dir, data[0]!));
        // zlib: more than one member, the first one's deflate stream ending well before the file does. igzip: one.
        const first = zlib.inflateRawSync(gz.subarray(10)).length;
        if (label === 'zlib') expect(first).toBeLessThan(zlib.gunzipSync(gz).length);
        else expect(first).toBe(zlib.gunzipSync(gz).length);
        const bin = resolveBinaries(s.ops.settings.get());
        const restored = spawnSync(
          bin.pgRestore,
          ['-h', ep.host, '-p', String(ep.port), '-U', ep.user, '-d', 'bulk_copy', '--no-owner', dir],
          { env: { ...process.env, PGPASSWORD: ep.password }, encoding: 'utf8' },
        );
        expect(restored.stderr).toBe('');
        expect(restored.status).toBe(0);
        const copy = new pg.Client({ ...ep, database: 'bulk_copy' });
        await copy.connect();
        try {
          const want = (await src.query(fingerprint)).rows[0];
          expect(want.n).toBe(110000);
          expect((await copy.query(fingerprint)).rows[0]).toEqual(want);
        } finally {
          await copy.end();
        }
      } finally {
        await src.end();
        for (const db of ['bulk_src', 'bulk_copy']) await admin.query(`DROP DATABASE IF EXISTS ${db}`);
        await admin.end();
      }
    },
  );
});

describe('refusals change nothing', () => {
  it('refuses a truncated archive', async () => {
    const id = tamperedCopy(both.id, 'truncated', (_m, dir) => {
      const file = biggestDataFile(path.join(dir, 'synapse_dt'));
      fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
    });
    expect((await s.ops.router.invoke('backups.verify', { setId: id })).ok).toBe(false);
    await refusedWithoutChange(id, 'BACKUP_INVALID');
  });

  it('refuses a bit-flipped archive', async () => {
    const id = tamperedCopy(both.id, 'bitflip', (_m, dir) => {
      const file = biggestDataFile(path.join(dir, 'synapse_dt'));
      const buf = fs.readFileSync(file);
      buf[Math.floor(buf.length / 2)]! ^= 0x01;
      fs.writeFileSync(file, buf);
    });
    const v = await s.ops.router.invoke('backups.verify', { setId: id });
    expect(v.ok).toBe(false);
    expect(v.problems.join(' ')).toMatch(/sha256|damaged/);
    await refusedWithoutChange(id, 'BACKUP_INVALID');
  });

  it('refuses a Temporal DB archive presented as an app DB backup, and an app-only set for the Temporal DB', async () => {
    const id = tamperedCopy(both.id, 'wrongkind', (m, dir) => {
      // The archive folder of the app DB now holds the temporal database's dump, rehashed so only the kind is wrong.
      fs.rmSync(path.join(dir, 'synapse_dt'), { recursive: true });
      fs.cpSync(path.join(dir, 'temporal'), path.join(dir, 'synapse_dt'), { recursive: true });
      const t = m.databases[1]!;
      m.databases = [
        {
          ...m.databases[0]!,
          tables: t.tables,
          files: t.files.map((f) => ({ ...f, path: f.path.replace(/^temporal\//, 'synapse_dt/') })),
        },
      ];
      m.kinds = ['app'];
    });
    const r = await refusedWithoutChange(id, 'BACKUP_INCOMPATIBLE');
    if (!r.ok) expect(r.error.message).toMatch(/Temporal DB backup, not an app DB backup/);
    const appOnly = tamperedCopy(both.id, 'apponly', (m) => {
      m.databases = [m.databases[0]!];
      m.kinds = ['app'];
    });
    const r2 = await refusedWithoutChange(appOnly, 'BACKUP_INCOMPATIBLE', ['temporal']);
    if (!r2.ok) expect(r2.error.message).toMatch(/cannot be restored into the Temporal DB/);
  });

  it('refuses a foreign archive and a folder without a manifest', async () => {
    const spec = s.ops.stack.spec();
    const c = new pg.Client({ ...spec.appPostgres, database: 'postgres' });
    await c.connect();
    await c.query('DROP DATABASE IF EXISTS foreign_db');
    await c.query('CREATE DATABASE foreign_db');
    await c.end();
    const f = new pg.Client({ ...spec.appPostgres, database: 'foreign_db' });
    await f.connect();
    await f.query(
      'CREATE TABLE invoices (id int PRIMARY KEY, total numeric); INSERT INTO invoices VALUES (1, 9.5)',
    );
    await f.end();
    const bin = resolveBinaries(s.ops.settings.get());
    const id = tamperedCopy(both.id, 'foreign', (m, dir) => {
      fs.rmSync(path.join(dir, 'synapse_dt'), { recursive: true });
      const r = spawnSyncDump(bin.pgDump, spec.appPostgres, 'foreign_db', path.join(dir, 'synapse_dt'));
      expect(r).toBe(0);
      m.databases = [
        {
          ...m.databases[0]!,
          files: fs.readdirSync(path.join(dir, 'synapse_dt')).map((n) => {
            const data = fs.readFileSync(path.join(dir, 'synapse_dt', n));
            return {
              path: `synapse_dt/${n}`,
              size: data.length,
              sha256: crypto.createHash('sha256').update(data).digest('hex'),
            };
          }),
          tables: [],
        },
      ];
      m.kinds = ['app'];
    });
    const r = await refusedWithoutChange(id, 'BACKUP_INCOMPATIBLE');
    if (!r.ok) expect(r.error.message).toMatch(/not a backup of the app DB or the Temporal DB/);
    fs.mkdirSync(path.join(root(), 'not-a-set'));
    fs.writeFileSync(path.join(root(), 'not-a-set', 'manifest.json'), '{"hello": 1}');
    await refusedWithoutChange('not-a-set', 'BACKUP_INVALID');
  });

  it('refuses a newer server major, unknown app migrations and a newer Temporal schema', async () => {
    const id = tamperedCopy(both.id, 'newer', (m) => {
      m.databases[0]!.serverMajor = 99;
      m.databases[0]!.appMigrations = [...(m.databases[0]!.appMigrations ?? []), '9999_from_the_future'];
      m.databases[1]!.temporalSchemaVersion = '99.0';
    });
    const plan = await s.ops.router.invoke('backups.plan', { setId: id });
    expect(plan.refusals.join(' ')).toMatch(/PostgreSQL 99/);
    expect(plan.refusals.join(' ')).toMatch(/9999_from_the_future/);
    expect(plan.refusals.join(' ')).toMatch(/Temporal schema 99.0/);
    await refusedWithoutChange(id, 'BACKUP_INCOMPATIBLE');
  });

  it('a restore that fails after loading (row count mismatch) drops the new databases and leaves the old ones running', async () => {
    const id = tamperedCopy(both.id, 'badrows', (m) => {
      // The files are intact (their sha256 match); only a table's row count in the manifest is wrong, so the
      // server's count of the rows it took differs once the table is loaded.
      const t = m.databases[1]!.tables.find((x) => x.rows > 0)!;
      t.rows += 1;
    });
    const before = await appFingerprint();
    const r = await s.ops.router.call('backups.restore', {
      setId: id,
      confirm: ['synapse_dt', 'temporal', 'temporal_visibility'],
    });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error).toMatchObject({
        code: 'BACKUP_INVALID',
        message: expect.stringMatching(/differs from the backup/),
      });
    expect(await appFingerprint()).toBe(before);
    for (const kind of ['app', 'temporal'] as const)
      expect((await databases(kind)).filter((d) => d.includes('_restore_'))).toEqual([]);
    expect(await databases('temporal')).toEqual(expect.arrayContaining(['temporal', 'temporal_visibility']));
    const status = await s.ops.router.invoke('stack.status', {});
    expect(status.services.find((x) => x.id === 'temporal')?.state).toBe('running');
    await waitFor(() => s.ops.worker.current().state === 'running', 60_000, 'the worker to run again');
  });

  it('refuses a restore whose confirmation does not name the database to be replaced', async () => {
    const r = await s.ops.router.call('backups.restore', { setId: both.id, confirm: ['synapse_dt'] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/temporal/);
  });
});

describe('kill -9 of the console midway', () => {
  it('a backup killed midway leaves no set that passes verification', async () => {
    const before = (await s.ops.router.invoke('backups.list', {})).map((x) => x.id);
    const run = cli(['backup', 'create', '--no-quiesce']);
    await waitFor(
      () => fs.readdirSync(root()).some((n) => n.endsWith('.partial')),
      60_000,
      'the backup to start writing',
    );
    run.child.kill('SIGKILL');
    await run.exited;
    const partial = fs.readdirSync(root()).find((n) => n.endsWith('.partial'))!;
    const after = (await s.ops.router.invoke('backups.list', {})).map((x) => x.id);
    expect(after).toEqual(before);
    const v = await s.ops.router.call('backups.verify', { setId: partial });
    expect(v.ok).toBe(false);
    expect((await s.ops.router.invoke('backups.partials', {})).map((p) => p.id)).toContain(partial);
    await s.ops.router.invoke('backups.remove', { setId: partial });
    expect(fs.existsSync(path.join(root(), partial))).toBe(false);
  });

  it('a restore killed midway leaves the old databases serving', async () => {
    const appOnly = (await s.ops.router.invoke('backups.create', { kinds: ['app'] })).id;
    const before = await appFingerprint();
    const run = cli(['backup', 'restore', appOnly, '--confirm', 'synapse_dt']);
    await waitFor(
      async () => (await databases('app')).some((d) => d.startsWith('synapse_dt_restore_')),
      60_000,
      'the restore to start',
    );
    run.child.kill('SIGKILL');
    await run.exited;
    expect(await appFingerprint()).toBe(before);
    const left = await s.ops.router.invoke('backups.leftovers', {});
    for (const l of left.filter((x) => x.database.includes('_restore_')))
      await s.ops.router.invoke('backups.dropLeftover', { database: l.database });
    expect((await databases('app')).filter((d) => d.includes('_restore_'))).toEqual([]);
  });
});

describe('restore', () => {
  it('restores both databases with every table checksum equal, keeps the old ones, and the in-flight cycle completes', async () => {
    // Something the restore must take away: a cycle row written after the backup.
    await s.db.query(
      `INSERT INTO test_cycles (id, name, status) VALUES (799, 'after the backup', 'planned')`,
    );
    const plan = await s.ops.router.invoke('backups.plan', { setId: both.id });
    expect(plan.refusals).toEqual([]);
    expect(plan.replaces.map((r) => r.database)).toEqual(['synapse_dt', 'temporal', 'temporal_visibility']);
    const result = await s.ops.router.invoke('backups.restore', {
      setId: both.id,
      confirm: ['synapse_dt', 'temporal', 'temporal_visibility'],
    });
    const m = JSON.parse(fs.readFileSync(path.join(both.path, 'manifest.json'), 'utf8')) as BackupManifest;
    expect(result.checksumsMatched).toBe(m.databases.reduce((n, d) => n + d.tables.length, 0));
    expect(result.migrationsApplied).toEqual([]);
    expect(result.restored.map((r) => r.database)).toEqual(['synapse_dt', 'temporal', 'temporal_visibility']);
    expect(await rows(s.db, 'SELECT id FROM test_cycles WHERE id = 799')).toEqual([]);
    const names = await databases('temporal');
    for (const r of result.restored.filter((x) => x.database !== 'synapse_dt'))
      expect(names).toContain(r.keptOldAs);
    expect(await databases('app')).toContain(result.restored[0]!.keptOldAs);
    expect(result.reconcile?.items).toEqual([]);

    await waitFor(() => s.ops.worker.current().state === 'running', 60_000, 'the worker to run again');
    await finishSteps(s, inFlight);
    const done = await outcome(s.ops, inFlight);
    expect(done.ok, done.ok ? '' : done.error.message).toBe(true);
    expect(await rows(s.db, `SELECT status FROM test_cycles WHERE id = 702`)).toEqual([
      { status: 'completed' },
    ]);
  });

  it('reconciles a lost Temporal DB: the in-flight cycle is listed with the phase to restart from', async () => {
    const appOnlyNow = await s.ops.router.invoke('backups.create', { kinds: ['temporal'] });
    const started = await s.ops.router.invoke('workflows.start', {
      cycleId: 703,
      reportIds: [1],
      skipPhases: [],
      autoApprove: false,
    });
    await waitFor(
      async () =>
        (
          await rows(
            s.db,
            `SELECT 1 FROM workflow_steps WHERE workflow_id = $1 AND step = 'scope_approval' AND status = 'waiting'`,
            [started.workflowId],
          )
        ).length > 0,
      60_000,
      'cycle 703 to wait',
    );
    // The Temporal DB goes back to before cycle 703 started: Temporal no longer knows it.
    await s.ops.router.invoke('backups.restore', {
      setId: appOnlyNow.id,
      confirm: ['temporal', 'temporal_visibility'],
    });
    const r = await s.ops.router.invoke('backups.reconcile', {});
    const item = r.items.find((i) => i.cycleId === 703);
    expect(item).toMatchObject({
      problem: 'unknown-to-temporal',
      lastCompletedPhase: 'planning',
      skipPhases: ['planning'],
    });
    // The stack's validation detects it too, explains it and names the fix.
    const report = await s.ops.router.invoke('stack.validate', { integration: true });
    const agreement = report.checks.find((c) => c.id === 'integration.agreement');
    expect(agreement).toMatchObject({
      status: 'degraded',
      detail: expect.stringMatching(/703.*Temporal DB was lost/),
    });
    expect(agreement?.fix).toMatch(/Reconciliation/);
    expect(report.overall).not.toBe('healthy');
  });
});

describe('a set from an older console', () => {
  it("gets this console's newer migrations before it goes live", async () => {
    // The live app DB made to look like one from a console that predates migrations 0002 to 0005: their objects are dropped
    // and its row removed, then a set is taken of it.
    await s.db.query(`
      DROP TABLE inspection_phase_histogram, inspection_phase_active_histogram, inspection_phase_active_hourly,
        inspection_activity_daily, inspection_cycle_counters;
      DROP FUNCTION inspection_bucket(double precision), inspection_fold_phases_inserted(),
        inspection_fold_phases_updated(), inspection_fold_attempts(), inspection_fold_retries(),
        inspection_fold_compensations(), inspection_fold_active_inserted(), inspection_fold_active_updated(),
        inspection_fold_work_time(bigint[]), ops_phase_rank(text),
        ops_track_phase(text, text, text, text, text, boolean, timestamptz) CASCADE;
      DROP INDEX workflow_executions_list_started, workflow_executions_list_duration,
        workflow_executions_list_cycle, workflow_executions_status_started, workflow_executions_version_started,
        workflow_phases_running, workflow_compensation_log_phase_time, workflow_alerts_time;
      ALTER TABLE workflow_phases DROP COLUMN active_ms, DROP COLUMN waiting_ms;
      DELETE FROM ops_schema_migrations WHERE name IN ('0002_inspection', '0003_waiting_time');

      ALTER TABLE workflow_compensation_log DROP CONSTRAINT workflow_compensation_log_outcome,
        DROP COLUMN error, DROP COLUMN attempts, DROP COLUMN resolved_by, DROP COLUMN resolution_note,
        DROP COLUMN resolved_at, DROP COLUMN updated_at;
      DROP INDEX workflow_compensation_log_phase_once, workflow_compensation_log_failed;
      DELETE FROM ops_schema_migrations
       WHERE name IN ('0004_phase_ownership', '0005_active_time_histogram', '0006_hourly_work_time',
                      '0007_work_time_fold_cached', '0008_phase_tracking_function');`);
    const older = await s.ops.router.invoke('backups.create', { kinds: ['app'] });
    const m = JSON.parse(fs.readFileSync(path.join(older.path, 'manifest.json'), 'utf8')) as BackupManifest;
    expect(m.databases[0]!.appMigrations).toEqual(['0001_initial']);
    expect((await s.ops.router.invoke('backups.plan', { setId: older.id })).refusals).toEqual([]);
    const result = await s.ops.router.invoke('backups.restore', { setId: older.id, confirm: ['synapse_dt'] });
    expect(result.migrationsApplied).toEqual([
      '0002_inspection',
      '0003_waiting_time',
      '0004_phase_ownership',
      '0005_active_time_histogram',
      '0006_hourly_work_time',
      '0007_work_time_fold_cached',
      '0008_phase_tracking_function',
    ]);
    expect(await rows(s.db, `SELECT to_regclass('inspection_phase_histogram')::text AS t`)).toEqual([
      { t: 'inspection_phase_histogram' },
    ]);
    expect(await rows(s.db, `SELECT name FROM ops_schema_migrations ORDER BY name`)).toEqual([
      { name: '0001_initial' },
      { name: '0002_inspection' },
      { name: '0003_waiting_time' },
      { name: '0004_phase_ownership' },
      { name: '0005_active_time_histogram' },
      { name: '0006_hourly_work_time' },
      { name: '0007_work_time_fold_cached' },
      { name: '0008_phase_tracking_function' },
    ]);
  });
});

describe('the swap', () => {
  it('gets through while other sessions keep reconnecting to the live database, and leaves every name open', async () => {
    const spec = s.ops.stack.spec();
    // Clients like the console's own pools: each reconnects as soon as its session is terminated and stays idle.
    let running = true;
    const held: pg.Client[] = [];
    const reconnecting = Array.from({ length: 4 }, async () => {
      while (running) {
        const c = new pg.Client({ ...spec.appPostgres, database: 'synapse_dt' });
        c.on('error', () => undefined);
        try {
          await c.connect();
          held.push(c);
          await new Promise<void>((r) => c.once('end', () => r()));
        } catch {
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    });
    await waitFor(() => held.length >= 4, 10_000, 'the clients to connect');
    try {
      const result = await s.ops.router.invoke('backups.restore', {
        setId: both.id,
        kinds: ['app'],
        confirm: ['synapse_dt'],
      });
      expect(result.restored.map((r) => r.database)).toEqual(['synapse_dt']);
      const c = new pg.Client({ ...spec.appPostgres, database: 'postgres' });
      await c.connect();
      const closed = await c.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE NOT datallowconn AND datname <> $1',
        ['template0'],
      );
      await c.end();
      expect(closed.rows).toEqual([]);
    } finally {
      running = false;
      for (const c of held) await c.end().catch(() => undefined);
      await Promise.all(reconnecting);
    }
  });

  it("a failure on the second cluster puts the first cluster's databases back", async () => {
    // The Temporal DB swaps first (always); the app DB's swap will then find the name it keeps the old
    // database under taken: whatever second the restore stamps its names with, in the next few seconds, a
    // database of that name already exists.
    const spec = s.ops.stack.spec();
    const stampOf = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').toLowerCase();
    const admin = new pg.Client({ ...spec.appPostgres, database: 'postgres' });
    await admin.connect();
    const taken: string[] = [];
    const t0 = Date.now();
    for (let i = 0; i < 8; i++) {
      const name = `synapse_dt_old_${stampOf(new Date(t0 + i * 1000))}`;
      await admin.query(`CREATE DATABASE ${name}`);
      taken.push(name);
    }
    const temporalBefore = await temporalOids();
    const before = await appFingerprint();
    const appNames = await databases('app');
    try {
      const r = await s.ops.router.call('backups.restore', {
        setId: both.id,
        confirm: ['synapse_dt', 'temporal', 'temporal_visibility'],
      });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(/already exists/);
      // The Temporal DB had been swapped in: the very databases that were live before are live again.
      expect(await temporalOids()).toEqual(temporalBefore);
      const temporalNames = await databases('temporal');
      expect(temporalNames.filter((d) => d.includes('_restore_'))).toEqual([]);
      expect(await appFingerprint()).toBe(before);
      expect((await databases('app')).sort()).toEqual([...appNames].sort());
      const status = await s.ops.router.invoke('stack.status', {});
      expect(status.services.find((x) => x.id === 'temporal')?.state).toBe('running');
    } finally {
      for (const name of taken) await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    }
  });

  it('a restore cancelled once the Temporal DB is swapped in (the app DB not yet) puts the Temporal DB back and changes nothing', async () => {
    const temporalBefore = await temporalOids();
    const before = await appFingerprint();
    const appNames = await databases('app');
    const steps: string[] = [];
    // The job registry's own cancel, called from the job's event as it is emitted: the app DB's swap comes after
    // the Temporal DB's and checks for a cancel first, so the cancel lands between the two swaps every time.
    const registry = (s.ops.backups as unknown as { jobs: JobRegistry }).jobs;
    const unsubscribe = s.ops.router.events.subscribe((name, payload) => {
      if (name !== 'backup.job') return;
      const job = payload as BackupJob;
      if (job.action !== 'restore' || job.state !== 'running') return;
      steps.push(job.step);
      if (/^Temporal DB swapped in/.test(job.step) && !/app DB swapped in/.test(job.step))
        registry.cancel(job.id);
    });
    try {
      const r = await s.ops.router.call('backups.restore', {
        setId: both.id,
        confirm: ['synapse_dt', 'temporal', 'temporal_visibility'],
      });
      expect(r.ok).toBe(false);
      if (!r.ok)
        expect(r.error).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/Cancelled/) });
    } finally {
      unsubscribe();
    }
    // The Temporal DB had been swapped in while the app DB was not: it was put back, with Temporal around it.
    expect(steps.some((x) => /^Temporal DB swapped in/.test(x))).toBe(true);
    expect(steps).toContain('Putting the previous Temporal DB back');
    expect(await temporalOids()).toEqual(temporalBefore);
    expect(await appFingerprint()).toBe(before);
    expect((await databases('app')).sort()).toEqual([...appNames].sort());
    expect((await databases('temporal')).filter((d) => d.includes('_restore_'))).toEqual([]);
    const status = await s.ops.router.invoke('stack.status', {});
    expect(status.services.find((x) => x.id === 'temporal')?.state).toBe('running');
    await waitFor(() => s.ops.worker.current().state === 'running', 60_000, 'the worker to run again');
  });

  it('a database left closed by a swap cut off midway takes connections again at the next stack start', async () => {
    const spec = s.ops.stack.spec();
    const admin = new pg.Client({ ...spec.appPostgres, database: 'postgres' });
    await admin.connect();
    await admin.query('ALTER DATABASE synapse_dt ALLOW_CONNECTIONS false');
    await admin.end();
    const refused = new pg.Client({ ...spec.appPostgres, database: 'synapse_dt' });
    await expect(refused.connect()).rejects.toThrow(/not currently accepting connections/);
    await s.ops.router.invoke('stack.start', {});
    expect(await rows(s.db, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});

describe('cancellation, schedule and retention', () => {
  it('a backup cancelled while it dumps leaves no set and no partial folder', async () => {
    const before = (await s.ops.router.invoke('backups.list', {})).map((x) => x.id);
    const unsubscribe = s.ops.router.events.subscribe((name, payload) => {
      const job = payload as { id: string; step: string; state: string };
      if (name === 'backup.job' && job.state === 'running' && job.step.startsWith('Dumping synapse_dt'))
        void s.ops.router.invoke('backups.cancel', { jobId: job.id });
    });
    const r = await s.ops.router.call('backups.create', { kinds: ['app'] });
    unsubscribe();
    expect(r.ok).toBe(false);
    const jobs = await s.ops.router.invoke('backups.jobs', {});
    expect(jobs.at(-1)?.state).toBe('cancelled');
    expect((await s.ops.router.invoke('backups.list', {})).map((x) => x.id)).toEqual(before);
    expect(fs.readdirSync(root()).filter((n) => n.endsWith('.partial') && n.includes('-app.'))).toEqual([]);
    expect(s.ops.worker.current().state).toBe('running');
  });

  it('a scheduled backup runs when the newest set is older than the interval, and retention keeps the last N', async () => {
    // Every set so far dates from a day ago: a backup is due.
    const earlier = await s.ops.router.invoke('backups.list', {});
    for (const set of earlier) {
      const file = path.join(set.path, 'manifest.json');
      const m = JSON.parse(fs.readFileSync(file, 'utf8')) as BackupManifest;
      m.createdAt = new Date(Date.parse(m.createdAt) - 86_400_000).toISOString();
      fs.writeFileSync(file, JSON.stringify(m));
    }
    await s.ops.router.invoke('backups.schedule.set', {
      enabled: true,
      everyHours: 1,
      kinds: ['app'],
      keepLast: 2,
    });
    const first = await s.ops.backups.scheduledTick();
    expect(first?.label).toBe('scheduled');
    // The newest set is seconds old: nothing is due.
    expect(await s.ops.backups.scheduledTick()).toBeUndefined();
    const sets = await s.ops.router.invoke('backups.list', {});
    expect(sets).toHaveLength(Math.min(2, earlier.length + 1));
    expect(sets[0]!.id).toBe(first!.id);
    await s.ops.router.invoke('backups.schedule.set', { enabled: false, everyHours: 24, kinds: ['app'] });
  });
});

function spawnSyncDump(
  pgDump: string,
  ep: { host: string; port: number; user: string; password: string },
  db: string,
  dir: string,
): number | null {
  return spawnSync(
    pgDump,
    ['-h', ep.host, '-p', String(ep.port), '-U', ep.user, '-d', db, '-Fd', '-f', dir],
    {
      env: { ...process.env, PGPASSWORD: ep.password },
    },
  ).status;
}
