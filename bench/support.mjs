// What every benchmark needs: free ports, a scratch console home with the stack on free ports, cycle batches,
// the median, and the browser side (Chromium launched as the e2e tests launch it, console pages with probes).
// Benchmarks run plain Node against the built back end (dist-bench/, dist/renderer).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PHASES, anyFreePort, launchBrowser } from '../dist-bench/back-end.mjs';

export { sleep, launchBrowser, PHASES };
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  // An even count: the mean of the middle two (not the higher one).
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** A port that was free on 127.0.0.1 a moment ago (the back end's own helper). */
export const freePort = anyFreePort;

/** A phase change's key in the bench's timings: workflow:phase:state, from a progress event of workflow_phases. */
export const phaseChangeKey = (e) => `${e.workflowId}:${e.phase}:${e.kind.split(':')[1]}`;

/** The eight phases as SQL VALUES rows (id, number, compensation strategy), from the product's own table. */
export const phaseValuesSql = () =>
  PHASES.map((p) => `('${p.id}', ${p.number}, '${p.compensation}')`).join(', ');

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

/**
 * In a console page (an init script): every phase node's data-state change, as `window.__changes`
 * ({ phase, state, at }), `at` on the wall clock (Date.now(), the clock Node and Temporal stamp with).
 */
export function phaseNodeProbes() {
  window.__changes = [];
  new MutationObserver((records) => {
    const at = Date.now();
    for (const r of records)
      if (r.type === 'attributes' && r.target.dataset?.testid?.startsWith('phase-node-'))
        window.__changes.push({
          phase: r.target.dataset.testid.slice(11),
          state: r.target.dataset.state,
          at,
        });
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
}

/**
 * A new page in `browser` with each of `probes` installed before the page's own script runs, opened at `url`
 * when given (the caller waits for what it needs to see).
 */
export async function openPage(browser, url, { probes = [], viewport = { width: 1440, height: 1000 } } = {}) {
  const page = await browser.newPage({ viewport });
  for (const probe of probes) await page.addInitScript(probe);
  if (url) await page.goto(url);
  return page;
}
