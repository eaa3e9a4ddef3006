// npm run bench:scale-out — completed test cycles per second with 1, 2 and 3 worker processes on this machine
// (the embedded stack, auto-approval, tracking on), and at each count the tracked-over-floor ratio (the same
// workflow with tracking off: no tracking writes, no NOTIFY; its batches interleaved with the tracked ones).
// Prints BENCH lines, each with the 1-minute load average beside it.
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
  const floors = {};
  const loads = {};
  for (const w of [1, 2, 3]) {
    const status = await ops.router.invoke('worker.scale', { processes: w });
    const running = status.processes.filter((p) => p.state === 'running').length;
    if (running !== w) throw new Error(`asked for ${w} worker processes, ${running} run`);
    await batch(true); // warm the new processes' workflow caches
    // Tracked and floor rounds alternate at every process count, so both see the same machine.
    const rounds = [];
    const floor = [];
    const load = [];
    for (let r = 0; r < ROUNDS; r++) {
      load.push(os.loadavg()[0]);
      rounds.push(await batch(true));
      floor.push(await batch(false));
    }
    results[w] = median(rounds);
    floors[w] = median(floor);
    loads[w] = median(load);
    console.log(`w${w}: ${rounds.map((x) => x.toFixed(2)).join(', ')} cycles/s`);
    console.log(`w${w} floor: ${floor.map((x) => x.toFixed(2)).join(', ')} cycles/s`);
  }
  console.log(
    `baseline: ${CYCLES} cycles of 3 reports started together per batch, median of ${ROUNDS} batches per worker-process count, auto-approval, tracking on; machine: ${os.cpus().length} cores (shared). Floor at each process count (1, 2, 3): the same workflow with tracking off (no tracking writes, no NOTIFY), its batches interleaved with the tracked ones.`,
  );
  for (const w of [1, 2, 3]) {
    const load = `BENCH load_avg_1m ${loads[w].toFixed(2)} load`;
    console.log(`BENCH cycles_per_s_w${w} ${results[w].toFixed(3)} cycles/s`);
    console.log(load);
    console.log(`BENCH cycles_per_s_w${w}_floor ${floors[w].toFixed(3)} cycles/s`);
    console.log(load);
    console.log(`BENCH scale_out_tracked_over_floor_w${w} ${(results[w] / floors[w]).toFixed(3)} x`);
    console.log(load);
  }
} finally {
  await ops.router.call('stack.stop', {});
  await ops.shutdown();
  fs.rmSync(home, { recursive: true, force: true });
}
