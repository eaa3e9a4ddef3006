// Making a backup set: a free-space check, the worker drained if asked, each database dumped (tables compressed
// and hashed as pg_dump finishes them), the manifest written and the set renamed into place.
import fs from 'node:fs';
import path from 'node:path';
import { OpsError } from '../api';
import type { BackupKind, BackupManifest, BackupSetSummary, DatabaseBackup, OpParsedInput } from '../api';
import { MIGRATIONS_TABLE } from '../db';
import {
  archiveKind,
  compressDataFile,
  dumpDatabase,
  readArchive,
  type HashedFile,
  readToc,
  syncTree,
  syncPath,
} from './dump';
import {
  appMigrations,
  databaseSizes,
  liveTables,
  serverVersion,
  temporalSchemaVersion,
  withClient,
} from './database';
import { LABEL, stamp, type BackupEnv, type Target } from './env';
import type { Job } from './jobs';
import { PARTIAL, MANIFEST, setDir, summarise, writeFileAtomic, writeVerification } from './sets';

export async function createSet(
  env: BackupEnv,
  input: OpParsedInput<'backups.create'>,
  job: Job,
  /** Runs once the set is written (retention, as the scheduler's act). */
  afterWrite: () => Promise<void>,
): Promise<BackupSetSummary> {
  const root = env.root();
  const targets = env.targets(input.kinds);
  job.update({ step: 'Checking free disk space' });
  const sizes = (
    await Promise.all(
      [...new Set(targets.map((t) => t.kind))].map((kind) =>
        databaseSizes(
          env.endpointOf(kind),
          targets.filter((t) => t.kind === kind).map((t) => t.database),
        ),
      ),
    )
  ).flat();
  const need = sizes.reduce((n, s) => n + s.sizeBytes, 0);
  const stat = fs.statfsSync(root);
  const free = stat.bavail * stat.bsize;
  // The compressed archive is smaller than the database (no indexes, gzip), so its size is a safe bound.
  if (free < need)
    throw new OpsError(
      'NO_SPACE',
      `Not enough free disk space for the backup: ${mb(free)} free in ${root}, up to ${mb(need)} needed.`,
      'Free some space (remove old sets on the Backups page) and try again.',
    );
  const id = newSetId(root, input.kinds);
  const partial = path.join(root, id + PARTIAL);
  fs.mkdirSync(partial, { mode: 0o700 });
  job.update({ setId: id, bytesTotal: need });

  const workerState = env.deps.worker.current().state;
  const quiesce = input.quiesce && workerState !== 'stopped' && workerState !== 'crashed';
  const databases: DatabaseBackup[] = [];
  const createdAt = new Date().toISOString();
  try {
    if (quiesce) {
      job.update({ step: 'Draining the worker (in-flight activities finish, no new tasks)' });
      await env.deps.worker.stop();
    }
    try {
      for (const t of targets) databases.push(await dumpOne(env, t, partial, input.jobs, job));
    } finally {
      if (quiesce) {
        job.update({ step: 'Resuming the worker' });
        await env.deps.worker
          .start()
          .catch((err: Error) => env.log.warn(`worker did not resume: ${err.message}`));
      }
    }
    const starts = databases.map((d) => Date.parse(d.startedAt));
    const skewMs = Math.max(...starts) - Math.min(...starts);
    const manifest: BackupManifest = {
      format: 'ops-console-backup',
      formatVersion: 1,
      id,
      createdAt,
      finishedAt: new Date().toISOString(),
      consoleVersion: env.deps.consoleVersion,
      provider: env.deps.stack.spec().provider,
      kinds: input.kinds,
      consistency: {
        quiesced: quiesce || workerState === 'stopped',
        skewMs: quiesce || workerState === 'stopped' ? 0 : skewMs,
        note: quiesce
          ? 'The worker was drained for the whole backup: app DB and Temporal DB are from one quiet moment.'
          : workerState === 'stopped'
            ? 'The worker was not running: nothing changed the databases during the backup.'
            : `The worker kept running: the databases were read up to ${(skewMs / 1000).toFixed(1)} s apart and may disagree about cycles that moved meanwhile.`,
      },
      databases,
      label: input.label,
    };
    job.update({ step: 'Writing the manifest and syncing' });
    writeFileAtomic(path.join(partial, MANIFEST), JSON.stringify(manifest, null, 2));
    syncTree(partial);
    if (job.signal.aborted)
      throw new OpsError('CONFLICT', 'Cancelled by the operator.', 'Start it again when ready.');
    fs.renameSync(partial, setDir(root, id));
    syncPath(root);
    // Every file was read back and hashed as it was recorded: the set is verified as written.
    writeVerification(root, id, {
      ok: true,
      at: new Date().toISOString(),
      trialRestore: false,
      problems: [],
    });
    env.log.info(`backup set ${id} written (${mb(databases.reduce((n, d) => n + d.bytes, 0))})`);
    await afterWrite();
    env.publishSets();
    return summarise(root, manifest);
  } catch (err) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw err;
  }
}

function newSetId(root: string, kinds: BackupKind[]): string {
  const base = `${stamp()}-${[...kinds].sort().join('-')}`;
  let id = base;
  for (let i = 2; fs.existsSync(path.join(root, id)) || fs.existsSync(path.join(root, id + PARTIAL)); i++)
    id = `${base}-${i}`;
  return id;
}

async function dumpOne(
  env: BackupEnv,
  t: Target,
  partial: string,
  jobs: number,
  job: Job,
): Promise<DatabaseBackup> {
  const tools = await env.tools(t.kind);
  const info = await withClient(t.endpoint, t.database, async (c) => ({
    server: await serverVersion(c),
    migrations: t.kind === 'app' ? await appMigrations(c, MIGRATIONS_TABLE) : undefined,
    schema: t.kind === 'temporal' ? await temporalSchemaVersion(c, t.database) : undefined,
    tables: (await liveTables(c)).length,
  }));
  const archive = t.database;
  const dir = path.join(partial, archive);
  const baseTables = job.state.tablesDone;
  job.update({
    step: `Dumping ${t.database}`,
    database: t.database,
    tablesTotal: job.state.tablesTotal + info.tables,
  });
  const baseBytes = job.state.bytesDone;
  const poll = setInterval(() => job.update({ bytesDone: baseBytes + dirSize(dir) }, false), 500);
  const startedAt = new Date().toISOString();
  // Each table's file is compressed and hashed as soon as pg_dump reports it complete, while the others are
  // dumped. Keyed by the final name (<id>.dat.gz).
  const early = new Map<string, Promise<HashedFile>>();
  const compress = (raw: string) => {
    if (early.has(`${raw}.gz`)) return;
    const done = compressDataFile(partial, archive, raw, { signal: job.signal });
    done.catch(() => undefined); // awaited (and reported) with the rest
    early.set(`${raw}.gz`, done);
  };
  try {
    await dumpDatabase({
      tools,
      database: t.database,
      dir,
      jobs,
      signal: job.signal,
      onTableDone: () => job.update({ tablesDone: job.state.tablesDone + 1 }, false),
      onDataDone: (dumpId) => {
        if (fs.existsSync(path.join(dir, `${dumpId}.dat`))) compress(`${dumpId}.dat`);
      },
    });
    // What was not reported (a serial dump, or an archive copied out of a container): compress it now.
    job.update({ step: `Compressing and hashing ${t.database}` });
    for (const n of fs.readdirSync(dir)) if (/^\d+\.dat$/.test(n)) compress(n);
    await Promise.all(early.values());
  } catch (err) {
    await Promise.allSettled(early.values());
    throw err;
  } finally {
    clearInterval(poll);
  }
  const finishedAt = new Date().toISOString();
  job.update({ step: `Hashing ${t.database}`, tablesDone: baseTables + info.tables });
  const [read, toc] = await Promise.all([
    readArchive(partial, archive, { signal: job.signal }, early),
    readToc(tools, dir),
  ]);
  const kind = archiveKind(toc);
  if (kind !== t.kind)
    throw new OpsError(
      'INTERNAL',
      `The dump of ${t.database} does not look like the ${LABEL[t.kind]} (found: ${kind}).`,
      'Check that the stack settings point at the right databases.',
    );
  const tables = toc
    .filter((e) => e.type === 'TABLE DATA')
    .map((e) => {
      const c = read.tables.get(e.dumpId);
      if (!c)
        throw new OpsError('INTERNAL', `pg_dump wrote no data file for ${e.schema}.${e.name}.`, 'Try again.');
      return { schema: e.schema, name: e.name, dumpId: e.dumpId, rows: c.rows, checksum: c.checksum };
    });
  job.update({ bytesDone: baseBytes + read.bytes });
  return {
    kind: t.kind,
    database: t.database,
    archive,
    serverVersion: info.server.version,
    serverMajor: info.server.major,
    appMigrations: info.migrations,
    appMigrationVersion: info.migrations?.at(-1),
    temporalSchemaVersion: info.schema,
    startedAt,
    finishedAt,
    bytes: read.bytes,
    tables,
    files: read.files,
  };
}

function mb(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

function dirSize(dir: string): number {
  try {
    return fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  } catch {
    return 0;
  }
}
