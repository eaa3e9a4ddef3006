// Making a backup set: a free-space check, the worker drained if asked, the databases dumped side by side (each
// file checksummed, compressed and hashed as pg_dump writes it), the manifest written and the set renamed into place.
import fs from 'node:fs';
import path from 'node:path';
import { OpsError } from '../api';
import type { BackupKind, BackupManifest, BackupSetSummary, DatabaseBackup, OpParsedInput } from '../api';
import { syncTree, syncPath } from './dump';
import { databaseSizes } from './database';
import { backupProfile, dumpTargets } from './dump-pipeline';
import { stamp, type BackupEnv, type Target } from './env';
import type { Job } from './jobs';
import { writeFileAtomic } from '../settings';
import { PARTIAL, MANIFEST, setDir, summarise, writeVerification } from './sets';

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
    // The worker resumes as soon as every pg_dump has exited (the databases are read; the set's own files are
    // still being compressed and hashed), or when the dump fails.
    let resumed: Promise<void> | undefined;
    const resume = () =>
      (resumed ??= quiesce
        ? env.deps.worker.start().then(
            () => undefined,
            (err: Error) => void env.log.warn(`worker did not resume: ${err.message}`),
          )
        : Promise.resolve());
    try {
      databases.push(...(await dumpAll(env, targets, partial, input.jobs, job, resume)));
    } finally {
      if (quiesce && !resumed) job.update({ step: 'Resuming the worker' });
      await resume();
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
    const manifestAt = performance.now();
    writeFileAtomic(path.join(partial, MANIFEST), JSON.stringify(manifest, null, 2));
    syncTree(partial);
    backupProfile.last.manifestMs += performance.now() - manifestAt;
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

/** Every database of the set dumped side by side, each file hashed and checksummed as it is written. */
function dumpAll(
  env: BackupEnv,
  targets: Target[],
  partial: string,
  jobs: number,
  job: Job,
  onDumped: () => void,
): Promise<DatabaseBackup[]> {
  return dumpTargets(targets, {
    onDumped,
    tools: (kind) => env.tools(kind),
    partial,
    jobs,
    signal: job.signal,
    progress: {
      step: (step, database) => job.update({ step, database }),
      addTables: (n) => job.update({ tablesTotal: job.state.tablesTotal + n }),
      tableDone: () => job.update({ tablesDone: job.state.tablesDone + 1 }, false),
      bytes: (n) => job.update({ bytesDone: job.state.bytesDone + n }, false),
    },
  });
}

function mb(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}
