// Point-in-time recovery of both clusters to one moment, on the real embedded stack with continuous archiving:
// rows and workflow state come back exactly as they were, gaps and a full archive are reported, and a recovery
// killed half-way leaves the stack serving.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  logLinesSince,
  outcome,
  rows,
  startCycleStack,
  waitFor,
  startToRfi,
  waitingAt,
  type CycleStack,
} from '../../support/cycle-stack';
import { localClusters } from '../../../bench/back-end';
import { niceOf } from '../../support/session-shares';
import { exited, spawnCli } from '../../support/cli';

let s: CycleStack;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A process's nice value (0 is normal priority), from /proc. */

beforeAll(async () => {
  s = await startCycleStack(
    {},
    {},
    { archiving: { enabled: true, segmentTimeoutS: 60, baseBackupEveryH: 0, keepBaseBackups: 2 } },
  );
  await s.ops.router.invoke('workflows.createDemoData', { reports: 2 });
  await s.db.query('CREATE TABLE pitr_marks (note text PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())');
});

afterAll(async () => {
  await s?.stop();
});

describe('point-in-time recovery', () => {
  let moment: string;
  const workflowId = 'test-cycle-601';

  it('archives both clusters and takes base backups of both', async () => {
    const taken = await s.ops.router.invoke('recovery.baseBackup', {});
    expect(taken.map((b) => b.cluster).sort()).toEqual(['app-postgres', 'temporal-postgres']);
    const status = await s.ops.router.invoke('recovery.status', {});
    for (const c of status) {
      expect(c.enabled).toBe(true);
      expect(c.baseBackups).toBeGreaterThanOrEqual(1);
      expect(c.problem).toBeUndefined();
    }
  });

  it('brings both databases back to a moment between two writes, with the cycle where it was then', async () => {
    await startToRfi(s, 601, [1, 2]); // phase 5 reached
    await s.db.query(`INSERT INTO pitr_marks (note) VALUES ('before')`);
    await sleep(1_100);
    moment = new Date().toISOString();
    await sleep(1_100);
    await s.db.query(`INSERT INTO pitr_marks (note) VALUES ('after')`);
    for (const reportId of [1, 2])
      await s.ops.router.invoke('workflows.signal', {
        workflowId,
        signal: 'rfiResponse',
        payload: { reportId, response: 'ok' },
      });
    await waitingAt(s.db, workflowId, 'test_results'); // phase 6 reached after the moment

    const plan = await s.ops.router.invoke('recovery.check', { to: moment });
    expect(plan.ok, JSON.stringify(plan)).toBe(true);
    // The replay runs at normal priority, like a start: the operator waits on it. Its servers' nice, looked at
    // while each replays (its data folder holds recovery.signal).
    const clusters = Object.values((await localClusters(s.ops.stack))!);
    const recoveryBegan = new Date().toISOString();
    const replayNice: number[] = [];
    const look = setInterval(() => {
      for (const cluster of clusters) {
        const pid = cluster.pid();
        if (pid && fs.existsSync(path.join(cluster.dataDir, 'recovery.signal'))) replayNice.push(niceOf(pid));
      }
    }, 10);
    const result = await s.ops.router
      .invoke('recovery.recover', {
        to: moment,
        inclusive: true,
        confirm: true,
      })
      .finally(() => clearInterval(look));
    expect(replayNice.length).toBeGreaterThan(0);
    expect(new Set(replayNice)).toEqual(new Set([0]));
    // The worker's in-flight work would go to the databases being replaced: it stopped without finishing it.
    const workerLines = logLinesSince(s.ops, 'worker', recoveryBegan);
    expect(workerLines).toContain(
      'the databases are about to be replaced: the worker stops without finishing its tasks',
    );
    expect(workerLines.some((l) => l.includes('draining'))).toBe(false);
    // And once the stack runs again, its services yield again.
    await waitFor(() => clusters.every((c) => niceOf(c.pid()!) === 10), 10_000, 'the servers to yield again');
    expect(result.validation).not.toBe('failed');
    for (const c of result.clusters) {
      expect(fs.existsSync(c.oldDataDir)).toBe(true); // the previous data stays until the operator removes it
      if (c.reachedAt) expect(Date.parse(c.reachedAt)).toBeLessThanOrEqual(Date.parse(moment));
    }

    expect(await rows(s.db, 'SELECT note FROM pitr_marks ORDER BY note')).toEqual([{ note: 'before' }]);
    const [rfi] = await rows(
      s.db,
      `SELECT status FROM workflow_phases WHERE workflow_id = $1 AND phase = 'request_for_information'`,
      [workflowId],
    );
    expect(rfi).toEqual({ status: 'running' });

    // Temporal agrees: the cycle is in phase 5 again, waiting for the RFI responses; it completes from there.
    await waitFor(() => s.ops.worker.current().state === 'running', 60_000, 'the worker');
    const progress = await s.ops.router.invoke('workflows.progress', { workflowId });
    expect(progress.waitingFor).toEqual(['rfi_responses']);
    for (const reportId of [1, 2])
      await s.ops.router.invoke('workflows.signal', {
        workflowId,
        signal: 'rfiResponse',
        payload: { reportId, response: 'ok' },
      });
    await waitingAt(s.db, workflowId, 'test_results');
    await s.ops.router.invoke('workflows.signal', {
      workflowId,
      signal: 'testResult',
      payload: { result: 'pass' },
    });
    const done = await outcome(s.ops, workflowId);
    expect(done.ok, done.ok ? '' : done.error.message).toBe(true);
  });

  it('refuses a moment behind a gap in the archive, naming the missing segment', async () => {
    await s.ops.router.invoke('recovery.baseBackup', {});
    await s.db.query(`INSERT INTO pitr_marks (note) VALUES ('gap-1')`);
    await s.ops.router.invoke('recovery.check', { to: new Date().toISOString() }); // closes segments
    await s.db.query(`INSERT INTO pitr_marks (note) VALUES ('gap-2')`);
    const { app } = (await localClusters(s.ops.stack))!;
    const later = new Date().toISOString();
    await s.ops.router.invoke('recovery.check', { to: later });
    const segments = fs
      .readdirSync(app.archiveDir)
      .filter((n) => /^[0-9A-F]{24}$/.test(n))
      .sort();
    const victim = segments[segments.length - 2]!;
    fs.renameSync(path.join(app.archiveDir, victim), path.join(s.home, victim));
    try {
      const plan = await s.ops.router.invoke('recovery.check', { to: new Date().toISOString() });
      expect(plan.ok).toBe(false);
      const appPlan = plan.clusters.find((c) => c.cluster === 'app-postgres')!;
      expect(appPlan.reason).toContain(victim.slice(8));
      const refused = await s.ops.router.call('recovery.recover', {
        to: new Date().toISOString(),
        confirm: true,
      });
      expect(refused.ok).toBe(false);
      expect(await rows(s.db, `SELECT count(*)::int AS n FROM pitr_marks`)).toEqual([{ n: 3 }]);
    } finally {
      fs.renameSync(path.join(s.home, victim), path.join(app.archiveDir, victim));
    }
  });

  it('reports an archive folder that fills up', async () => {
    const { app } = (await localClusters(s.ops.stack))!;
    const failedBefore = (await s.ops.router.invoke('recovery.status', {})).find(
      (c) => c.cluster === 'app-postgres',
    )!;
    expect(failedBefore.problem).toBeUndefined();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', app.archiveDir]);
    try {
      if (app.runAs) fs.chownSync(app.archiveDir, app.runAs.uid, app.runAs.gid);
      await s.db.query('SELECT txid_current()');
      await s.db.query('SELECT pg_switch_wal()');
      let health = (await s.ops.router.invoke('recovery.status', {})).find(
        (c) => c.cluster === 'app-postgres',
      )!;
      await waitFor(
        async () => {
          health = (await s.ops.router.invoke('recovery.status', {})).find(
            (c) => c.cluster === 'app-postgres',
          )!;
          return health.problem !== undefined;
        },
        60_000,
        'the archive failure to show',
      );
      expect(health.failedCount).toBeGreaterThan(failedBefore.failedCount);
      expect(health.problem).toMatch(/archiving .* is failing/);
    } finally {
      execFileSync('umount', [app.archiveDir]);
    }
  });

  // A recovery stops the stack and replays each cluster's base backup in its real data folder. A console killed
  // while it copies, or after the swap while the recovered clusters replay on the real ports, must leave the previous
  // databases to serve at the next start, with no trace of the recovery (its scratch folders, its server) left.
  it.each([
    [
      'while it copies the base backups',
      (n: string[]) => n.some((f) => f.startsWith('data.recovered-') && !f.includes('.discarded-')),
    ],
    [
      'once the folders are swapped in, while the recovered clusters replay',
      (n: string[]) => n.some((f) => f.startsWith('data.old-')),
    ],
  ])(
    'leaves the previous databases serving when the console is killed %s',
    async (_when, reached) => {
      const { app, tpg } = (await localClusters(s.ops.stack))!;
      const journal = path.join(path.dirname(app.dir), 'recovery-journal.json');
      const before = await rows(s.db, 'SELECT note FROM pitr_marks ORDER BY note');
      const names = () => [...fs.readdirSync(app.dir), ...fs.readdirSync(tpg.dir)];
      const existingBefore = new Set(names());
      // What the recovery says is kept, so a run that never reaches the point says where it stood.
      const { child, output } = spawnCli(s.home, ['recover', '--to', moment, '--yes']);
      try {
        const until = Date.now() + 150_000;
        let fresh: string[] = [];
        while (!reached((fresh = names().filter((n) => !existingBefore.has(n))))) {
          if (Date.now() > until || child.exitCode !== null)
            throw new Error(
              `the recovery did not reach that point (exit ${child.exitCode}; new entries: ${fresh.join(', ')}); it said:\n${output().slice(-4000)}`,
            );
          await sleep(10);
        }
      } finally {
        child.kill('SIGKILL');
      }
      await exited(child);
      expect(fs.existsSync(journal)).toBe(true); // killed before the recovery finished

      // The next start rolls the interrupted recovery back and serves the previous data.
      await s.ops.router.invoke('stack.stop', {});
      await s.ops.router.invoke('stack.start', {});
      expect(fs.existsSync(journal)).toBe(false);
      const left = names().filter(
        (n) => (n.startsWith('data.recovered-') || n.startsWith('data.old-')) && !n.includes('.discarded-'),
      );
      // Earlier tests' recoveries keep their old folders for the operator; this one leaves nothing of its own.
      expect(left.filter((n) => !existingBefore.has(n))).toEqual([]);
      expect(fs.existsSync(path.join(app.dataDir, 'recovery.signal'))).toBe(false);
      expect(await rows(s.db, 'SELECT note FROM pitr_marks ORDER BY note')).toEqual(before);
      const { rows: inRecovery } = await s.db.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
      expect(inRecovery[0]!.r).toBe(false);
    },
    240_000,
  );
});
