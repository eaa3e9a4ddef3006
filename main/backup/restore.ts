// Restoring a set: the new databases loaded and checked side by side while everything runs; each cluster's
// swapped in (one transaction, undone on failure) as soon as its databases are ready, the Temporal DB first with
// Temporal stopped around it and the worker drained before it; then the stack validated and reconciled.
import { setMaxListeners } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { OpsError, toErrorShape } from '../api';
import type { BackupKind, DatabaseBackup, OpParsedInput, RestoreResult } from '../api';
import { migrateAppDb } from '../db';
import { postgresUrl, type PostgresEndpoint } from '../stack';
import { createDatabase, dropDatabase, swapDatabases } from './database';
import { LABEL, stamp, type BackupEnv } from './env';
import type { Job } from './jobs';
import { checkArchiveFiles, finishLoad, loadSchemaAndData, settleAll, type LoadOptions } from './load';
import { planWithTocs } from './plan';
import { reconcile } from './reconcile';
import { CopyPool } from './restore-pipeline';
import { readManifest, setDir } from './sets';

/** Table data files loaded side by side in each database. */
const LANES = 2;

export async function restoreSet(
  env: BackupEnv,
  input: OpParsedInput<'backups.restore'>,
  job: Job,
): Promise<RestoreResult> {
  const root = env.root();
  job.update({ setId: input.setId, step: 'Checking the set against this stack' });
  const { plan, tocs } = await planWithTocs(env, input.setId, input.kinds);
  if (plan.refusals.length)
    throw new OpsError(
      'BACKUP_INCOMPATIBLE',
      plan.refusals.join(' '),
      'Choose a set this console and stack can take.',
      {
        refusals: plan.refusals,
      },
    );
  const unconfirmed = plan.replaces.filter((r) => !input.confirm.includes(r.database)).map((r) => r.database);
  if (unconfirmed.length)
    throw new OpsError(
      'INVALID_INPUT',
      `Confirm the replacement of ${unconfirmed.join(', ')} by naming each database.`,
      'Type the name of every database that will be replaced.',
    );
  const manifest = readManifest(root, input.setId);
  const dbs = manifest.databases.filter((d) => plan.kinds.includes(d.kind));
  // Every file present at its size and the tables of contents intact, before anything is created or stopped;
  // the data files are checked byte for byte as they load.
  job.update({ step: "Checking the set's files against the manifest" });
  const problems = dbs.flatMap((db) => checkArchiveFiles(setDir(root, manifest.id), db));
  if (problems.length)
    throw new OpsError(
      'BACKUP_INVALID',
      `The set failed verification: ${problems.join(' ')}`,
      'Nothing was changed. Use another set.',
      { problems },
    );
  const dataFiles = dbs.flatMap((d) => d.files.filter((f) => /\.dat(\.gz)?$/.test(f.path)));
  job.update({
    tablesDone: 0,
    tablesTotal: dbs.reduce((n, d) => n + d.tables.length, 0),
    bytesDone: 0,
    bytesTotal: dataFiles.reduce((n, f) => n + f.size, 0),
  });
  const at = stamp();
  const workerState = env.deps.worker.current().state;
  const workerWasOn = workerState !== 'stopped' && workerState !== 'crashed';
  const swapped: Array<{ database: string; keptOldAs: string }> = [];
  const migrationsApplied: string[] = [];
  const created: Array<{ endpoint: PostgresEndpoint; name: string; db: DatabaseBackup }> = [];
  const undo: Array<() => Promise<void>> = [];
  let restored = false;
  const phase = new AbortController();
  // The data threads, shared by every database's load.
  const pool = new CopyPool(Math.min(os.availableParallelism(), LANES));
  try {
    // Each cluster's new databases are loaded and checked side by side while everything keeps running (a damaged
    // or foreign file is found there, and then nothing was stopped and the new databases go), then swapped in as
    // soon as they are ready: the Temporal DB (small) first, with Temporal stopped around its swap and started
    // again while the app DB still loads; the app DB after it. The worker stops before the first swap: from then
    // on whatever it did would be lost with the databases being replaced.
    const signal = AbortSignal.any([job.signal, phase.signal]);
    setMaxListeners(0, signal);
    const kinds = (['temporal', 'app'] as BackupKind[]).filter((k) => plan.kinds.includes(k));
    const stages = new Map<BackupKind, Stage>(kinds.map((k) => [k, 'loading']));
    const show = (kind: BackupKind, stage: Stage) => {
      stages.set(kind, stage);
      job.update({ step: describeStages(stages, dbs) });
    };
    job.update({ step: describeStages(stages, dbs) });
    let workerStopped: Promise<unknown> | undefined;
    const stopWorker = () => (workerStopped ??= workerWasOn ? env.deps.worker.stop() : Promise.resolve());
    let before: Promise<void> = Promise.resolve();
    const pipelines = kinds.map((kind) => {
      const previousSwap = before;
      const pipeline = (async () => {
        const loads = await settleAll(
          dbs
            .filter((d) => d.kind === kind)
            .map(async (db) => {
              const endpoint = env.endpointOf(db.kind);
              const name = `${db.database}_restore_${at}`;
              await createDatabase(endpoint, name);
              created.push({ endpoint, name, db });
              const load: LoadOptions = {
                tools: await env.tools(db.kind),
                endpoint,
                database: name,
                dir: path.join(setDir(root, manifest.id), db.archive),
                db,
                toc: tocs.get(db.database)!,
                signal,
                lanes: LANES,
                pool,
                onBytes: (n) => job.update({ bytesDone: job.state.bytesDone + n }, false),
                onTableDone: () => job.update({ tablesDone: job.state.tablesDone + 1 }, false),
              };
              return { load, loaded: await loadSchemaAndData(load) };
            }),
          phase,
        );
        // Every byte matched the manifest; the indexes and constraints left build now.
        show(kind, 'indexing');
        await Promise.all(
          loads.map(async ({ load, loaded }) => {
            await finishLoad(load, loaded);
            // An app DB from an older console gets this console's newer migrations before it goes live.
            if (kind === 'app')
              migrationsApplied.push(
                ...(await migrateAppDb(postgresUrl(load.endpoint, load.database))).applied,
              );
          }),
        );
        await previousSwap;
        show(kind, 'swapping');
        await stopWorker();
        const group = created.filter((c) => c.db.kind === kind);
        const swap = async () => {
          if (job.signal.aborted) throw cancelled();
          if (phase.signal.aborted) throw new Error('another part of the restore failed first');
          undo.push(await swapKind(env, kind, group, at, swapped, job));
        };
        // The Temporal server holds shard locks on the databases being replaced, and its state lives in them:
        // a graceful shutdown (over a second) would buy nothing.
        if (kind === 'temporal')
          await env.deps.stack.withServiceStopped('temporal', swap, { discarding: true });
        else await swap();
        show(kind, 'swapped');
      })();
      before = pipeline;
      return pipeline;
    });
    await settleAll(pipelines, phase);
    created.length = 0; // they are the live databases now
    swapped.sort(
      (x, y) =>
        dbs.findIndex((d) => d.database === x.database) - dbs.findIndex((d) => d.database === y.database),
    );
    restored = true;
  } catch (err) {
    phase.abort(); // whatever still runs on the new databases stops before anything is put back
    for (const u of undo.reverse())
      await u().catch((e: Error) =>
        env.log.error(`putting back the previous databases failed: ${e.message}`),
      );
    throw err;
  } finally {
    phase.abort();
    await pool.close();
    for (const c of created) await dropDatabase(c.endpoint, c.name).catch(() => undefined);
    if (workerWasOn && !restored) {
      job.update({ step: 'Starting the worker again' });
      await startWorker(env);
    }
  }
  // 3. The worker starts while the stack is validated.
  job.update({ step: 'Validating the stack' });
  const workerStarted = workerWasOn ? startWorker(env) : Promise.resolve();
  // The comparison with Temporal reads only: it runs while the stack is validated.
  const reconciled = reconcile(env.deps.stack.spec(), env.deps.cycles).catch(() => undefined);
  env.log.info(`restored ${swapped.map((s) => s.database).join(', ')} from ${manifest.id}`);
  let validation = 'not run';
  try {
    const report = await env.ctx.router.invoke('stack.validate', { integration: false });
    validation = report.overall;
  } catch (err) {
    validation = `failed: ${toErrorShape(err).message}`;
  }
  await workerStarted;
  job.update({ step: 'Reconciling the app DB with Temporal' });
  const rec = await reconciled;
  return {
    setId: manifest.id,
    restored: swapped,
    checksumsMatched: dbs.reduce((n, d) => n + d.tables.length, 0),
    migrationsApplied,
    validation,
    reconcile: rec,
  };
}

/** Where one cluster's new databases are. */
type Stage = 'loading' | 'indexing' | 'swapping' | 'swapped';

/** The step shown while the clusters' databases move through their stages side by side. */
function describeStages(stages: ReadonlyMap<BackupKind, Stage>, dbs: DatabaseBackup[]): string {
  // Databases at the same stage are named together, in the set's order.
  const at = (stage: Stage) =>
    dbs
      .filter((d) => stages.get(d.kind) === stage)
      .map((d) => d.database)
      .join(', ');
  const swapping = (kind: BackupKind) =>
    `swapping in the restored ${LABEL[kind]} (${kind === 'temporal' ? 'Temporal and the worker' : 'the worker'} stopped)`;
  const parts = [
    ...[...stages].filter(([, s]) => s === 'swapped').map(([kind]) => `${LABEL[kind]} swapped in`),
    ...[...stages].filter(([, s]) => s === 'swapping').map(([kind]) => swapping(kind)),
    at('indexing') && `building the indexes and constraints of ${at('indexing')}`,
    at('loading') && `loading and checking ${at('loading')}`,
  ].filter(Boolean);
  const step = parts.join('; ');
  return step.charAt(0).toUpperCase() + step.slice(1);
}

function startWorker(env: BackupEnv): Promise<void> {
  return env.deps.worker.start().then(
    () => undefined,
    (err: Error) => void env.log.warn(`worker did not start: ${err.message}`),
  );
}

/**
 * Swaps one cluster's restored databases in, in one transaction; returns what puts the previous ones back
 * (with Temporal stopped again around it when they are the Temporal DB's).
 */
async function swapKind(
  env: BackupEnv,
  kind: BackupKind,
  group: Array<{ endpoint: PostgresEndpoint; name: string; db: DatabaseBackup }>,
  at: string,
  swapped: Array<{ database: string; keptOldAs: string }>,
  job: Job,
): Promise<() => Promise<void>> {
  const endpoint = group[0]!.endpoint;
  const pairs = group.map((c) => ({
    live: c.db.database,
    replacement: c.name,
    keepAs: `${c.db.database}_old_${at}`,
  }));
  await swapDatabases(endpoint, pairs);
  for (const p of pairs) swapped.push({ database: p.live, keptOldAs: p.keepAs });
  return async () => {
    job.update({ step: `Putting the previous ${LABEL[kind]} back` });
    const back = () =>
      swapDatabases(
        endpoint,
        pairs.map((p) => ({ live: p.live, replacement: p.keepAs, keepAs: p.replacement })),
      );
    if (kind === 'temporal') await env.deps.stack.withServiceStopped('temporal', back, { discarding: true });
    else await back();
    swapped.splice(0, swapped.length, ...swapped.filter((s) => !pairs.some((p) => p.live === s.database)));
  };
}

const cancelled = () =>
  new OpsError('CONFLICT', 'Cancelled by the operator; nothing was swapped.', 'Start again when ready.');
