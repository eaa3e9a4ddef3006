// npm run bench:cycle-throughput — completed test cycles per second with auto-approval, tracked (the product)
// against the same workflow with tracking switched off (the Temporal floor on this machine: same phases, same
// activities and business work, no tracking writes and no NOTIFY), interleaved in the same run. Also prints where the
// tracking costs: transactions, rows and notifications per cycle, and local activities (tracking batches) per cycle.
// Prints BENCH lines; exits non-zero when the setup is broken (a cycle that does not complete fails the run).
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { createConsole } from '../dist-bench/back-end.mjs';
import { cycleBatches, median, scratchHome, waitForWorker } from './support.mjs';

const CYCLES = Number(process.env.BENCH_CYCLES ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

console.log(
  `load average at start: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const home = await scratchHome('ops-bench-cycles-');
const ops = createConsole({ mode: 'browser', dataDir: home, env: {} });
const batches = cycleBatches(ops, { count: CYCLES, firstCycleId: 1000 });
const batch = batches.run;

/** One tracked and one untracked batch, with what each cost the app DB: transactions, rows written, NOTIFYs. */
async function profile() {
  const app = ops.stack.spec().appPostgres;
  const db = new pg.Client({ ...app, database: app.database });
  db.on('error', () => undefined); // the stack stopping at the end ends this session too
  await db.connect();
  let notifications = 0;
  db.on('notification', () => notifications++);
  await db.query('LISTEN workflow_progress');
  const counters = async () => {
    await db.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await db.query(
      `SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database())::bigint AS xacts,
              (SELECT coalesce(sum(n_tup_ins + n_tup_upd), 0) FROM pg_stat_user_tables WHERE relname LIKE 'workflow\\_%')::bigint AS rows`,
    );
    return { xacts: Number(rows[0].xacts), rows: Number(rows[0].rows), notifications };
  };
  // The statistics collector publishes at most every second: wait for a quiet, settled reading.
  const settle = async () => {
    await new Promise((r) => setTimeout(r, 1500));
    return counters();
  };
  const out = {};
  for (const tracking of [true, false]) {
    const before = await settle();
    await batch(tracking);
    const after = await settle();
    const per = (k) => (after[k] - before[k]) / CYCLES;
    out[tracking ? 'tracked' : 'floor'] = {
      xacts: per('xacts'),
      rows: per('rows'),
      notifications: per('notifications'),
    };
  }
  await db.end();
  // Local activities (tracking batches) of one tracked cycle: the markers in its history.
  const client = await ops.cycles.client();
  const { workflowId } = await ops.cycles.start({
    cycleId: batches.takeId(),
    reportIds: [1, 2, 3],
    skipPhases: [],
    autoApprove: true,
    tracking: true,
  });
  const handle = client.workflow.getHandle(workflowId);
  await handle.result();
  const history = await handle.fetchHistory();
  // Local activities only: a version marker (core_patch) is not a tracking batch.
  const markers = history.events.filter(
    (e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
  ).length;
  const activities = history.events.filter((e) => e.activityTaskCompletedEventAttributes).length;
  const t = out.tracked;
  const f = out.floor;
  console.log(
    `profile per cycle: tracked ${t.xacts.toFixed(1)} app DB transactions, ${t.rows.toFixed(0)} tracking rows written, ${t.notifications.toFixed(1)} NOTIFYs; ` +
      `untracked ${f.xacts.toFixed(1)} transactions, ${f.rows.toFixed(0)} rows, ${f.notifications.toFixed(1)} NOTIFYs; ` +
      `${activities} activities and ${markers} local activities (tracking batches) per cycle; ` +
      `the tracking events ride on the activities (written when each starts) and each commit's one notice follows it in a transaction of its own, all in the activity's round trips (the transactions count those notices and each listener's read of them)`,
  );
  console.log(`BENCH tracking_xacts_per_cycle ${(t.xacts - f.xacts).toFixed(1)} count`);
  console.log(`BENCH tracking_notifies_per_cycle ${t.notifications.toFixed(1)} count`);
  console.log(`BENCH tracking_batches_per_cycle ${markers} count`);
}

try {
  await ops.router.invoke('stack.start', {});
  await waitForWorker(ops);
  await ops.router.invoke('workflows.createDemoData', { reports: 3 });
  // Warm-up: code paths, connection pools, the workflow cache.
  await batch(true);
  await batch(false);
  const tracked = [];
  const floor = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate the order so neither side always runs on a warmer or more fragmented database.
    if (r % 2 === 0) {
      floor.push(await batch(false));
      tracked.push(await batch(true));
    } else {
      tracked.push(await batch(true));
      floor.push(await batch(false));
    }
    console.log(`round ${r + 1}: tracked ${tracked.at(-1).toFixed(2)}/s, floor ${floor.at(-1).toFixed(2)}/s`);
  }
  await profile();
  const t = median(tracked);
  const f = median(floor);
  console.log(
    `baseline: the same TestCycleWorkflow with tracking off (tracking: false — no tracking writes, no NOTIFY, no tracking local activities), ${CYCLES} cycles of 3 reports per batch started together, median of ${ROUNDS} interleaved rounds (alternating order) on ${os.cpus().length} shared cores, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; target tracked >= 0.85x floor`,
  );
  console.log(`BENCH cycles_per_s_tracked ${t.toFixed(3)} cycles/s`);
  console.log(`BENCH cycles_per_s_floor ${f.toFixed(3)} cycles/s`);
  console.log(`BENCH cycle_throughput_ratio ${(t / f).toFixed(3)} x`);
} finally {
  await ops.router.call('stack.stop', {});
  await ops.shutdown();
  fs.rmSync(home, { recursive: true, force: true });
}
