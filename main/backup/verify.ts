// Verifying a set: every file's hash and a full decompressing read against the manifest, and on request a trial
// restore into a scratch database whose tables are read back and compared.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { toErrorShape } from '../api';
import type { BackupManifest, DatabaseBackup, Verification } from '../api';
import { archiveKind, readArchive, readToc, readTocText } from './dump';
import { setContentAlgorithm } from './content-hash';
import { createDatabase, dropDatabase, ChecksumQueue } from './database';
import { LABEL, stamp, type BackupEnv } from './env';
import type { Job } from './jobs';
import { finishLoad, loadSchemaAndData, type LoadOptions } from './load';
import { CopyPool } from './restore-pipeline';
import { readManifest, setDir, writeVerification } from './sets';

export async function verifySet(
  env: BackupEnv,
  setId: string,
  trialRestore: boolean,
  job: Job,
): Promise<Verification> {
  const root = env.root();
  const manifest = readManifest(root, setId);
  const problems: string[] = [];
  const total = manifest.databases.reduce((n, d) => n + d.bytes, 0);
  job.update({
    setId,
    bytesTotal: total,
    tablesTotal: manifest.databases.reduce((n, d) => n + d.tables.length, 0),
  });
  let bytesDone = 0;
  for (const db of manifest.databases) {
    job.update({ step: `Reading ${db.database} in full`, database: db.database });
    problems.push(
      ...(await checkArchive(env, root, manifest, db, job, (n) => {
        bytesDone += n;
        job.update({ bytesDone }, false);
      })),
    );
  }
  if (trialRestore && problems.length === 0) {
    // The data threads, shared by every database's trial load.
    const pool = new CopyPool(Math.min(os.availableParallelism(), 2));
    try {
      for (const db of manifest.databases) {
        const scratch = `${db.database}_verify_${stamp()}`;
        const endpoint = env.endpointOf(db.kind);
        job.update({ step: `Trial restore of ${db.database} into ${scratch}`, database: db.database });
        try {
          await createDatabase(endpoint, scratch);
          // The same load a restore does (every file checked as it loads), then a read of every table back.
          const tools = await env.tools(db.kind);
          const dir = path.join(setDir(root, setId), db.archive);
          const load: LoadOptions = {
            tools,
            endpoint,
            database: scratch,
            dir,
            db,
            toc: await readTocText(tools, dir),
            signal: job.signal,
            pool,
          };
          await finishLoad(load, await loadSchemaAndData(load));
          const queue = new ChecksumQueue(load.tools, endpoint, scratch, job.signal, setContentAlgorithm(db));
          job.update({ step: `Comparing ${scratch} with the manifest` });
          problems.push(...(await compareLive(queue, scratch, db)));
        } catch (err) {
          problems.push(`Trial restore of ${db.database} failed: ${toErrorShape(err).message}`);
        } finally {
          await dropDatabase(endpoint, scratch).catch(() => undefined);
        }
      }
    } finally {
      await pool.close();
    }
  }
  const result: Verification = {
    ok: problems.length === 0,
    at: new Date().toISOString(),
    trialRestore,
    problems,
  };
  writeVerification(root, setId, result);
  env.publishSets();
  return result;
}

/** File hashes, a full decompressing read, and the archive's own table list, against the manifest. */
async function checkArchive(
  env: BackupEnv,
  root: string,
  manifest: BackupManifest,
  db: DatabaseBackup,
  job: Job,
  onBytes: (n: number) => void,
  content = true,
): Promise<string[]> {
  const dir = path.join(setDir(root, manifest.id), db.archive);
  if (!fs.existsSync(dir)) return [`The archive of ${db.database} is missing (${dir}).`];
  const problems: string[] = [];
  try {
    const kind = archiveKind(await readToc(await env.tools(db.kind), dir));
    if (kind !== db.kind)
      problems.push(
        kind === 'foreign'
          ? `The archive of ${db.database} is not a backup of the app DB or the Temporal DB.`
          : `The archive of ${db.database} holds a backup of the ${LABEL[kind]}, but the manifest says ${LABEL[db.kind]}.`,
      );
  } catch (err) {
    return [toErrorShape(err).message];
  }
  let read;
  try {
    read = await readArchive(setDir(root, manifest.id), db.archive, {
      onBytes,
      signal: job.signal,
      content,
      algorithm: setContentAlgorithm(db),
    });
  } catch (err) {
    if (job.signal.aborted) throw err;
    return [...problems, toErrorShape(err).message];
  }
  const onDisk = new Map(read.files.map((f) => [f.path, f]));
  for (const f of db.files) {
    const found = onDisk.get(f.path);
    if (!found) problems.push(`${f.path} is missing.`);
    else if (found.size !== f.size)
      problems.push(`${f.path} is ${found.size} bytes, the manifest says ${f.size} (truncated or replaced).`);
    else if (found.sha256 !== f.sha256)
      problems.push(`${f.path} does not match its sha256 (corrupted or replaced).`);
    onDisk.delete(f.path);
  }
  for (const extra of onDisk.keys()) problems.push(`${extra} is not part of the set.`);
  for (const t of content ? db.tables : []) {
    const c = read.tables.get(t.dumpId);
    if (!c || c.checksum !== t.checksum || c.rows !== t.rows)
      problems.push(`The data of ${t.schema}.${t.name} in ${db.database} does not match the manifest.`);
  }
  job.update({ tablesDone: job.state.tablesDone + db.tables.length });
  return problems;
}

/** What differs between a loaded database's tables and the manifest's rows and content checksums. */
export async function compareLive(
  queue: ChecksumQueue,
  database: string,
  db: DatabaseBackup,
): Promise<string[]> {
  const live = await queue.drain(db.tables.map((t) => `${t.schema}.${t.name}`));
  const problems: string[] = [];
  for (const t of db.tables) {
    const c = live.get(`${t.schema}.${t.name}`);
    if (!c) problems.push(`${t.schema}.${t.name} is missing from the restored ${db.database}.`);
    else if (c.rows !== t.rows || c.checksum !== t.checksum)
      problems.push(
        `${t.schema}.${t.name} restored into ${database} differs from the backup (${c.rows} rows, manifest ${t.rows}).`,
      );
  }
  return problems;
}
