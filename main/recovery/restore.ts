// One cluster's part of a recovery: the base backup laid down with recovery settings, then (once swapped into the
// real data folder) replayed on the real port until it pauses at the moment, checked, and resumed to a primary.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { PostgresCluster } from '../stack/local/postgres';
import type { PostgresEndpoint } from '../stack/provider';
import { run, sleep } from '../stack/local/process';
import type { BaseBackup } from './base-backup';
import { withClusterClient } from './client';

export const RECOVERY_MARKER = '# ops-console point-in-time recovery';

/** The recovery settings in postgresql.auto.conf form (the moment in PostgreSQL's own timestamp syntax). */
export function recoverySettings(restoreCommand: string, to: Date, inclusive: boolean): string {
  return [
    '',
    RECOVERY_MARKER,
    `restore_command = '${restoreCommand}'`,
    `recovery_target_time = '${to.toISOString().replace('T', ' ').replace('Z', '+00')}'`,
    `recovery_target_inclusive = ${inclusive ? 'on' : 'off'}`,
    // Paused at the moment, the cluster can be checked before it becomes a primary (then it is resumed).
    `recovery_target_action = 'pause'`,
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

type Reachable = { id: string; endpoint: PostgresEndpoint };

async function query<T extends pg.QueryResultRow>(cluster: Reachable, sql: string): Promise<T> {
  return withClusterClient(cluster.endpoint, async (c) => (await c.query<T>(sql)).rows[0]!);
}

/**
 * Waits until a server that replays towards a target has reached it and paused there. Returns the last replayed
 * commit's time (none: nothing was committed between the base backup and the moment).
 */
export async function waitForPause(
  cluster: Reachable,
  timeoutMs = 10 * 60_000,
): Promise<{ reachedAt?: string }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const state = await query<{ recovering: boolean; pause: string; last: Date | null }>(
      cluster,
      `SELECT pg_is_in_recovery() AS recovering, pg_last_xact_replay_timestamp() AS last,
              CASE WHEN pg_is_in_recovery() THEN pg_get_wal_replay_pause_state() END AS pause`,
    );
    if (!state.recovering) throw new Error(`${cluster.id} left recovery before it reached the moment`);
    if (state.pause === 'paused') return { reachedAt: state.last?.toISOString() };
    if (Date.now() > until)
      throw new Error(
        `${cluster.id} did not finish replaying the archive within ${timeoutMs / 60_000} minutes`,
      );
    await sleep(50);
  }
}

/**
 * Ends a recovery paused at the moment (after it was checked): resumed, the startup process ends recovery at once,
 * writes its end-of-recovery checkpoint and opens a new timeline. (pg_promote would skip that checkpoint, but a
 * paused startup process only looks for a promotion once a second: measured slower.)
 */
export async function promoteServer(cluster: Reachable): Promise<void> {
  await query(cluster, 'SELECT pg_wal_replay_resume()');
  const until = Date.now() + 120_000;
  while ((await query<{ r: boolean }>(cluster, 'SELECT pg_is_in_recovery() AS r')).r) {
    if (Date.now() > until) throw new Error(`${cluster.id} did not end its recovery within 2 minutes`);
    await sleep(20);
  }
}

/**
 * Starts the cluster on its real folder and port (where the base backup now lies; the caller swapped it in) and
 * waits until it has replayed to the moment and paused there.
 */
export async function replayInPlace(
  cluster: PostgresCluster,
  start: () => Promise<void>,
): Promise<{ reachedAt?: string }> {
  const logFrom = fs.existsSync(cluster.logFile) ? fs.statSync(cluster.logFile).size : 0;
  try {
    await start();
    return await waitForPause(cluster);
  } catch (err) {
    throw new Error(failureLines(logSince(cluster.logFile, logFrom)) || (err as Error).message);
  }
}

/** Ends the recovery: the cluster becomes a primary on a new timeline, and never recovers again at a later start. */
export async function promote(cluster: PostgresCluster): Promise<void> {
  await promoteServer(cluster);
  // The settings were read at start; without them no later start recovers again.
  const conf = path.join(cluster.dataDir, 'postgresql.auto.conf');
  fs.writeFileSync(conf, withoutRecoverySettings(fs.readFileSync(conf, 'utf8')));
}

function logSince(file: string, from: number): string {
  if (!fs.existsSync(file)) return '';
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(Math.max(0, size - from));
    fs.readSync(fd, buf, 0, buf.length, from);
    return buf.toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}
