// One cluster's part of a recovery: the base backup laid down with recovery settings, then (once swapped into the
// real data folder) replayed on the real port until it promotes, and the moment it reached read from its log.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { PostgresCluster } from '../stack/local/postgres';
import { run, sleep } from '../stack/local/process';
import type { BaseBackup } from './base-backup';

export const RECOVERY_MARKER = '# ops-console point-in-time recovery';

/** The recovery settings in postgresql.auto.conf form (the moment in PostgreSQL's own timestamp syntax). */
export function recoverySettings(restoreCommand: string, to: Date, inclusive: boolean): string {
  return [
    '',
    RECOVERY_MARKER,
    `restore_command = '${restoreCommand}'`,
    `recovery_target_time = '${to.toISOString().replace('T', ' ').replace('Z', '+00')}'`,
    `recovery_target_inclusive = ${inclusive ? 'on' : 'off'}`,
    `recovery_target_action = 'promote'`,
    `recovery_target_timeline = 'latest'`,
    '',
  ].join('\n');
}

/** Drops the recovery settings again: the promoted cluster starts as an ordinary primary from then on. */
export function withoutRecoverySettings(conf: string): string {
  const lines = conf.split('\n');
  const at = lines.indexOf(RECOVERY_MARKER);
  return lines.slice(0, at === -1 ? lines.length : at).join('\n') + '\n';
}

/**
 * The moment a replay reached, from the server log written during it: the last replayed transaction. (The
 * "recovery stopping before …" line names the first transaction left out, which is after the moment by design;
 * a cluster with no transaction since its base backup is as the backup left it and logs no such line.)
 */
export function reachedFromLog(text: string): string | undefined {
  const lastTx = /last completed transaction was at log time ([0-9-]+ [0-9:.]+[+-]\d\d)/.exec(text)?.[1];
  return lastTx
    ? new Date(lastTx.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')).toISOString()
    : undefined;
}

/** The last FATAL/ERROR lines of a log, for the operator's message. */
export function failureLines(text: string): string {
  return text
    .split('\n')
    .filter((l) => /FATAL|ERROR/.test(l))
    .slice(-2)
    .join(' | ');
}

/** Copies the base backup into `into` (a new folder) with recovery.signal and the recovery settings. */
export async function layDownBaseBackup(
  cluster: PostgresCluster,
  backup: BaseBackup,
  into: string,
  to: Date,
  inclusive: boolean,
): Promise<void> {
  await run('cp', ['-a', backup.dir, into], { runAs: cluster.runAs });
  fs.rmSync(path.join(into, 'ops-console-base-backup.json'), { force: true });
  // A base backup taken while the cluster ran holds its postmaster.pid; the restored cluster must not see it.
  fs.rmSync(path.join(into, 'postmaster.pid'), { force: true });
  const own = (file: string) => cluster.runAs && fs.chownSync(file, cluster.runAs.uid, cluster.runAs.gid);
  fs.writeFileSync(path.join(into, 'recovery.signal'), '');
  own(path.join(into, 'recovery.signal'));
  const conf = path.join(into, 'postgresql.auto.conf');
  fs.appendFileSync(conf, recoverySettings(`cp ${cluster.archiveDir}/%f "%p"`, to, inclusive));
  own(conf);
}

/** Whether the server on `port` still replays (false once it has promoted). */
export async function inRecovery(cluster: PostgresCluster, port: number): Promise<boolean> {
  const { host, user, password } = cluster.endpoint;
  const client = new pg.Client({
    host,
    port,
    user,
    password,
    database: 'postgres',
    connectionTimeoutMillis: 5_000,
  });
  await client.connect();
  try {
    return (await client.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]!.r;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Starts the cluster on its real folder and port (where the base backup now lies) and waits until it has replayed
 * to the moment and promoted. Returns the log written meanwhile. The caller has swapped the folder in.
 */
export async function replayInPlace(
  cluster: PostgresCluster,
  start: () => Promise<void>,
  timeoutMs = 10 * 60_000,
): Promise<string> {
  const logFrom = fs.existsSync(cluster.logFile) ? fs.statSync(cluster.logFile).size : 0;
  const logSince = () => {
    if (!fs.existsSync(cluster.logFile)) return '';
    const fd = fs.openSync(cluster.logFile, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const buf = Buffer.alloc(Math.max(0, size - logFrom));
      fs.readSync(fd, buf, 0, buf.length, logFrom);
      return buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  };
  try {
    await start();
    const until = Date.now() + timeoutMs;
    while (await inRecovery(cluster, cluster.endpoint.port)) {
      if (Date.now() > until)
        throw new Error(
          `${cluster.id} did not finish replaying the archive within ${timeoutMs / 60_000} minutes`,
        );
      await sleep(50);
    }
  } catch (err) {
    const tail = failureLines(logSince());
    throw new Error(tail || (err as Error).message);
  }
  // The settings were read at start; removing them now means no later start ever recovers again.
  const conf = path.join(cluster.dataDir, 'postgresql.auto.conf');
  fs.writeFileSync(conf, withoutRecoverySettings(fs.readFileSync(conf, 'utf8')));
  return logSince();
}
