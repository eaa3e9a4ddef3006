// One cluster's part of a recovery: the base backup laid down with recovery settings, then (once swapped into the
// real data folder) replayed on the real port until the moment, where it becomes a primary; then checked.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { PostgresCluster } from '../local/postgres';
import type { PostgresEndpoint } from '../provider';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from '../local/process';
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
    // A primary as soon as it reaches the moment (as a recovery by hand would be); PostgreSQL ends with an error
    // instead when the archive ends before the moment. The cluster runs on a copy, so one that turns out wrong is
    // simply rolled back: pausing to check it first cost a resume and a second poll.
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
 * Waits until a server that replays towards a target has reached it and become a primary. Returns the last replayed
 * commit's time (none: nothing was committed between the base backup and the moment).
 */
export async function waitForRecoveryEnd(
  cluster: Reachable,
  timeoutMs = 10 * 60_000,
): Promise<{ reachedAt?: string }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    // pg_last_xact_replay_timestamp stays at the last replayed commit once the recovery has ended.
    const state = await query<{ recovering: boolean; last: Date | null }>(
      cluster,
      'SELECT pg_is_in_recovery() AS recovering, pg_last_xact_replay_timestamp() AS last',
    );
    if (!state.recovering) return { reachedAt: state.last?.toISOString() };
    if (Date.now() > until)
      throw new Error(
        `${cluster.id} did not finish replaying the archive within ${timeoutMs / 60_000} minutes`,
      );
    await sleep(20);
  }
}

/**
 * Starts the cluster on its real folder and port (where the base backup now lies; the caller swapped it in) and
 * waits until it has replayed to the moment and become a primary.
 */
export async function replayInPlace(
  cluster: PostgresCluster,
  start: () => Promise<void>,
): Promise<{ reachedAt?: string }> {
  const logFrom = fs.existsSync(cluster.logFile) ? fs.statSync(cluster.logFile).size : 0;
  try {
    await start();
    return await waitForRecoveryEnd(cluster);
  } catch (err) {
    throw new Error(failureLines(logSince(cluster.logFile, logFrom)) || (err as Error).message);
  }
}

/** Drops the recovery settings of a recovered cluster: they were read at start; no later start recovers again. */
export function forgetRecovery(cluster: PostgresCluster): void {
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
