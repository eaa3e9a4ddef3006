// npm run bench:scale-out — completed test cycles per second with 1, 2 and 3 worker processes on this machine
// (the embedded stack, auto-approval, tracking on), and at 3 processes the tracked-over-floor ratio (the same
// workflow with tracking off: no tracking writes, no NOTIFY). Prints BENCH lines.
import fs from 'node:fs';
import os from 'node:os';
import { createConsole } from '../dist-bench/back-end.mjs';
import { cycleBatches, median, scratchHome, waitForWorker } from './support.mjs';

const CYCLES = Number(process.env.BENCH_CYCLES ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const home = await scratchHome('ops-bench-scale-');
const ops = createConsole({ mode: 'browser', dataDir: home, env: {} });
const batch = cycleBatches(ops, { count: CYCLES, firstCycleId: 5000 }).run;

try {
  await ops.router.invoke('stack.start', {});
  await waitForWorker(ops);
  await ops.router.invoke('workflows.createDemoData', { reports: 3 });
  await batch(true); // warm-up
  const results = {};
  let floor3 = 0;
  for (const w of [1, 2, 3]) {
    const status = await ops.router.invoke('worker.scale', { processes: w });
    const running = status.processes.filter((p) => p.state === 'running').length;
    if (running !== w) throw new Error(`asked for ${w} worker processes, ${running} run`);
    await batch(true); // warm the new processes' workflow caches
    const rounds = [];
    for (let r = 0; r < ROUNDS; r++) rounds.push(await batch(true));
    results[w] = median(rounds);
    console.log(`w${w}: ${rounds.map((x) => x.toFixed(2)).join(', ')} cycles/s`);
    if (w === 3) {
      const floor = [];
      for (let r = 0; r < ROUNDS; r++) floor.push(await batch(false));
      floor3 = median(floor);
      console.log(`w3 floor: ${floor.map((x) => x.toFixed(2)).join(', ')} cycles/s`);
    }
  }
  console.log(
    `baseline: ${CYCLES} cycles of 3 reports started together per batch, median of ${ROUNDS} batches per worker-process count, auto-approval, tracking on; machine: ${os.cpus().length} cores (shared). Floor at 3 processes: the same workflow with tracking off.`,
  );
  console.log(`BENCH cycles_per_s_w1 ${results[1].toFixed(3)} cycles/s`);
  console.log(`BENCH cycles_per_s_w2 ${results[2].toFixed(3)} cycles/s`);
  console.log(`BENCH cycles_per_s_w3 ${results[3].toFixed(3)} cycles/s`);
  console.log(`BENCH cycles_per_s_w3_floor ${floor3.toFixed(3)} cycles/s`);
  console.log(`BENCH scale_out_tracked_over_floor_w3 ${(results[3] / floor3).toFixed(3)} x`);
} finally {
  await ops.router.call('stack.stop', {});
  await ops.shutdown();
  fs.rmSync(home, { recursive: true, force: true });
}
