// What every benchmark needs: free ports, a scratch console home with the stack on free ports, cycle batches,
// and the median. Benchmarks run plain Node against the built back end (dist/).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { anyFreePort } from '../dist-bench/back-end.mjs';

export { sleep };
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  // An even count: the mean of the middle two (not the higher one).
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** A port that was free on 127.0.0.1 a moment ago (the back end's own helper). */
export const freePort = anyFreePort;

export async function freeStackPorts() {
  return {
    appPostgres: await freePort(),
    temporalPostgres: await freePort(),
    temporal: await freePort(),
    temporalUi: await freePort(),
  };
}

/**
 * A scratch console data folder whose settings put the stack on free ports (plus any extra stack settings, and
 * any other settings sections in `more`).
 */
export async function scratchHome(prefix, stack = {}, more = {}) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(home, 0o755);
  fs.writeFileSync(
    path.join(home, 'settings.json'),
    JSON.stringify({ stack: { ports: await freeStackPorts(), ...stack }, ...more }),
  );
  return home;
}

export async function waitForWorker(ops) {
  while (ops.worker.current().state !== 'running') await sleep(50);
}

/**
 * Batches of `count` auto-approved cycles started together, on fresh cycle ids from `firstCycleId` on.
 * `run` returns completed cycles per second; `takeId` hands out an id for a cycle started elsewhere.
 */
export function cycleBatches(ops, { count, firstCycleId }) {
  let next = firstCycleId;
  return {
    takeId: () => next++,
    async run(tracking = true) {
      const client = await ops.cycles.client();
      const ids = [];
      const started = performance.now();
      for (let i = 0; i < count; i++) {
        const { workflowId } = await ops.cycles.start({
          cycleId: next++,
          reportIds: [1, 2, 3],
          skipPhases: [],
          autoApprove: true,
          tracking,
        });
        ids.push(workflowId);
      }
      await Promise.all(ids.map((id) => client.workflow.getHandle(id).result()));
      return count / ((performance.now() - started) / 1000);
    },
  };
}
