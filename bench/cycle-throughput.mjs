// npm run bench:cycle-throughput — completed test cycles per second with auto-approval, tracked (the product)
// against the same workflow with tracking switched off (the Temporal floor on this machine: same phases, same
// activities and business work, no tracking writes and no NOTIFY). Prints BENCH lines.
import fs from 'node:fs';
import { createConsole } from '../dist-bench/back-end.mjs';
import { cycleBatches, median, scratchHome, waitForWorker } from './support.mjs';

const CYCLES = Number(process.env.BENCH_CYCLES ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const home = await scratchHome('ops-bench-cycles-');
const ops = createConsole({ mode: 'browser', dataDir: home, env: {} });
const batch = cycleBatches(ops, { count: CYCLES, firstCycleId: 1000 }).run;

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
  const t = median(tracked);
  const f = median(floor);
  console.log(
    `baseline: the same TestCycleWorkflow with tracking off (no tracking writes, no NOTIFY), ${CYCLES} cycles of 3 reports per batch started together, median of ${ROUNDS} rounds; target tracked >= 0.7x floor`,
  );
  console.log(`BENCH cycles_per_s_tracked ${t.toFixed(3)} cycles/s`);
  console.log(`BENCH cycles_per_s_floor ${f.toFixed(3)} cycles/s`);
  console.log(`BENCH cycle_throughput_ratio ${(t / f).toFixed(3)} x`);
} finally {
  await ops.router.call('stack.stop', {});
  await ops.shutdown();
  fs.rmSync(home, { recursive: true, force: true });
}
