// npm run bench:inspection — the inspection views in real Chromium against a real stack and database:
//   live update: a tracking write (UPDATE + NOTIFY, as the worker does) to the phase node's change on the page,
//                p50/p95 over 200 transitions;
//   list: first render of the Workflows list and scroll frame times with 100,000 cycles in the tracking tables;
//   history: graph and first history rows for a real cycle with 10,000+ Temporal history events;
//   metrics: each dashboard query with 1,000,000 attempt rows and 800,000 phase rows behind it.
// Prints BENCH lines and a baseline line (what polling and raw percentile queries would give).
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { createConsole, postgresUrl, startBrowserServer } from '../dist-bench/back-end.mjs';
import {
  launchBrowser,
  openPage,
  phaseNodeProbes,
  phaseValuesSql,
  PHASES,
  scratchHome,
  sleep,
} from './support.mjs';

const TRANSITIONS = Number(process.env.BENCH_TRANSITIONS ?? 200);
const CYCLES = Number(process.env.BENCH_LIST_CYCLES ?? 100_000);
const HISTORY_EVENTS = Number(process.env.BENCH_HISTORY_EVENTS ?? 10_000);

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
};
const round = (x) => Math.round(x * 10) / 10;

const home = await scratchHome(
  'ops-bench-inspection-',
  {},
  { worker: { autoApprove: false, retryBaseMs: 200 } },
);
const ops = createConsole({ mode: 'browser', dataDir: home, env: {} });
let server;
let browser;
let db;

async function generateBulk() {
  const started = performance.now();
  await db.query(`
    INSERT INTO workflow_executions (workflow_id, run_id, workflow_type, cycle_id, version, status, input, started_at,
                                     finished_at, duration_ms, failure)
    SELECT 'bench-cycle-' || g, 'run-' || g, 'TestCycleWorkflow', 100000 + g, 1 + g % 2,
           (ARRAY['completed', 'completed', 'completed', 'failed', 'cancelled'])[1 + g % 5], '{}'::jsonb,
           now() - g * interval '25 seconds', now() - g * interval '25 seconds' + interval '20 minutes',
           1200000 + (g % 1000) * 100, CASE WHEN g % 5 = 3 THEN 'a phase failed: bench data' END
      FROM generate_series(1, ${CYCLES}) g`);
  const values = phaseValuesSql();
  await db.query(`
    INSERT INTO workflow_phases (workflow_id, run_id, phase, phase_number, status, compensation_strategy, started_at,
                                 finished_at, duration_ms)
    SELECT 'bench-cycle-' || g, 'run-' || g, p.id, p.n, 'completed', p.c, x.s, x.s + x.d * interval '1 ms', x.d
      FROM generate_series(1, ${CYCLES}) g
     CROSS JOIN (VALUES ${values}) p(id, n, c)
     CROSS JOIN LATERAL (SELECT now() - g * interval '25 seconds' + p.n * interval '2 minutes' AS s,
                                (200 + p.n * 300 + (hashtext(g::text || p.id) & 65535) % (2000 * p.n))::int AS d) x`);
  await db.query(`
    INSERT INTO workflow_activities (workflow_id, run_id, activity_id, activity_type, phase, retry_class, status,
                                     attempts, first_started_at, finished_at, duration_ms)
    SELECT 'bench-cycle-' || g, 'run-' || g, 'act-' || k, 'benchActivity' || k, p.id, 'database', 'completed',
           1 + (g + k) % 2, now() - g * interval '25 seconds', now() - g * interval '25 seconds', 100
      FROM generate_series(1, ${CYCLES}) g
     CROSS JOIN generate_series(1, 5) k
     CROSS JOIN LATERAL (SELECT (ARRAY['planning', 'scoping', 'request_for_information', 'test_execution',
                                       'finalize_test_report'])[k] AS id) p`);
  await db.query(`
    INSERT INTO workflow_activity_histories (workflow_id, run_id, activity_id, attempt, status, started_at,
                                             finished_at, duration_ms, error)
    SELECT a.workflow_id, a.run_id, a.activity_id, t, CASE WHEN t = 1 AND (hashtext(a.workflow_id) & 7) = 0
           THEN 'failed' ELSE 'completed' END, a.first_started_at, a.first_started_at, 50, NULL
      FROM workflow_activities a CROSS JOIN generate_series(1, 2) t
     WHERE a.workflow_id LIKE 'bench-cycle-%'`);
  await db.query(`
    INSERT INTO workflow_activity_retry_log (workflow_id, run_id, activity_id, activity_type, retry_class, attempt,
                                             max_attempts, error, backoff_ms, exhausted, failed_at)
    SELECT workflow_id, run_id, activity_id, 'benchActivity', 'database', 1, 3, 'bench failure', 200, false,
           first_started_at
      FROM workflow_activities WHERE workflow_id LIKE 'bench-cycle-%' AND (hashtext(workflow_id) & 7) = 0`);
  await db.query(`
    INSERT INTO workflow_compensation_log (workflow_id, run_id, phase, strategy, action, outcome, reason, created_at)
    SELECT e.workflow_id, e.run_id, p.phase, p.compensation_strategy, 'bench-undo', 'done', 'the cycle was cancelled',
           e.finished_at
      FROM workflow_executions e JOIN workflow_phases p ON p.workflow_id = e.workflow_id AND p.run_id = e.run_id
     WHERE e.status = 'cancelled' AND e.workflow_id LIKE 'bench-cycle-%' AND p.phase_number <= 2`);
  await db.query('ANALYZE');
  const counts = await db.query(`SELECT (SELECT count(*) FROM workflow_executions) AS executions,
    (SELECT count(*) FROM workflow_phases) AS phases, (SELECT count(*) FROM workflow_activity_histories) AS attempts`);
  console.log(
    `bulk data: ${JSON.stringify(counts.rows[0])} in ${Math.round((performance.now() - started) / 1000)} s`,
  );
}

/** In the page: when the first cycle row appears (the phase nodes' changes come from phaseNodeProbes). */
function firstRowProbe() {
  window.__firstRowAt = undefined;
  new MutationObserver(() => {
    if (window.__firstRowAt === undefined && document.querySelector('[data-testid=cycle-row]'))
      window.__firstRowAt = performance.now();
  }).observe(document, { subtree: true, childList: true });
}

async function liveUpdates(page) {
  const wf = 'bench-live-1';
  await db.query(
    `INSERT INTO workflow_executions (workflow_id, run_id, workflow_type, cycle_id, version, status, input)
     VALUES ($1, 'run-live', 'TestCycleWorkflow', 999999, 2, 'completed', '{}')`,
    [wf],
  );
  for (const { id, number: n, compensation: c } of PHASES)
    await db.query(
      `INSERT INTO workflow_phases (workflow_id, run_id, phase, phase_number, status, compensation_strategy)
       VALUES ($1, 'run-live', $2, $3, 'pending', $4)`,
      [wf, id, n, c],
    );
  await page.goto(`${server.url}#/workflows?open=${wf}`);
  await page.locator('[data-testid=phase-node-planning][data-state=pending]').waitFor({ timeout: 60_000 });
  const states = Object.fromEntries(PHASES.map(({ id }) => [id, 'pending']));
  const latencies = [];
  const client = await db.connect();
  try {
    for (let i = 0; i < TRANSITIONS; i++) {
      const { id: phase } = PHASES[i % PHASES.length];
      const next = states[phase] === 'running' ? 'completed' : 'running';
      states[phase] = next;
      const before = await page.evaluate(() => window.__changes.length);
      const t0 = Date.now();
      await client.query('BEGIN');
      await client.query(
        `UPDATE workflow_phases SET status = $3, started_at = coalesce(started_at, now()) WHERE workflow_id = $1
           AND run_id = 'run-live' AND phase = $2`,
        [wf, phase, next],
      );
      await client.query(
        `SELECT pg_notify('workflow_progress', json_build_object('workflowId', $1::text, 'table', 'workflow_phases',
           'phase', $2::text, 'kind', 'phase:' || $3::text, 'at', now())::text)`,
        [wf, phase, next],
      );
      await client.query('COMMIT');
      const at = await page.waitForFunction(
        ([from, id, state]) =>
          window.__changes.slice(from).find((c) => c.phase === id && c.state === state)?.at,
        [before, phase, next],
        { timeout: 30_000, polling: 'raf' },
      );
      latencies.push((await at.jsonValue()) - t0);
      // Let the follow-up reads settle so one transition's refresh does not overlap the next write.
      await sleep(40);
    }
  } finally {
    client.release();
  }
  return { p50: pct(latencies, 0.5), p95: pct(latencies, 0.95) };
}

async function listRender(page) {
  await page.goto(`${server.url}#/stack`);
  await page.locator('[data-testid=nav-workflows]').waitFor();
  await page.evaluate(() => {
    window.__firstRowAt = undefined;
    window.__t0 = performance.now();
    document.querySelector('[data-testid=nav-workflows]').click();
  });
  await page.locator('[data-testid=cycle-row]').first().waitFor({ timeout: 60_000 });
  const firstRender = await page.evaluate(() => window.__firstRowAt - window.__t0);
  const total = await page.getByTestId('cycle-table').getAttribute('data-total');
  // Scroll: 240 frames, 600 px a frame, then jumps far down the 100,000 rows; frame time = rAF delta.
  const frames = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const el = document.querySelector('[data-testid=cycle-scroll]');
        const deltas = [];
        let last;
        let n = 0;
        const step = (t) => {
          if (last !== undefined) deltas.push(t - last);
          last = t;
          n += 1;
          el.scrollTop = n % 60 === 0 ? el.scrollTop + 400_000 : el.scrollTop + 600;
          if (n < 240) requestAnimationFrame(step);
          else resolve(deltas);
        };
        requestAnimationFrame(step);
      }),
  );
  if (process.env.BENCH_DEBUG)
    console.log(
      `slow frames: ${frames
        .map((f, i) => (f > 20 ? `${i}:${Math.round(f)}` : ''))
        .filter(Boolean)
        .join(' ')}`,
    );
  return { firstRender, total: Number(total), scrollP95: pct(frames, 0.95), scrollP50: pct(frames, 0.5) };
}

async function bigHistory() {
  await ops.router.invoke('workflows.createDemoData', { reports: 2 });
  const { workflowId } = await ops.router.invoke('workflows.start', {
    cycleId: 424242,
    reportIds: [1, 2],
    autoApprove: false,
  });
  const client = await ops.cycles.client();
  const handle = client.workflow.getHandle(workflowId);
  let length = 0;
  let reportId = 100;
  while (length < HISTORY_EVENTS) {
    // Signals the workflow drops (answers for reports it never asked about): each still adds a history event.
    await Promise.all(
      Array.from({ length: 100 }, () =>
        handle.signal('rfiResponse', { reportId: reportId++, response: 'bench' }).catch(() => undefined),
      ),
    );
    length = Number((await handle.describe()).historyLength);
  }
  return { workflowId, length };
}

async function historyRender(page, workflowId) {
  await page.goto(`${server.url}#/stack`);
  await page.locator('[data-testid=nav-workflows]').waitFor();
  await page.evaluate((id) => {
    window.__t0 = performance.now();
    window.location.hash = `#/workflows?open=${id}`;
  }, workflowId);
  await page.locator('[data-testid=phase-node-planning]').waitFor({ timeout: 60_000 });
  await page.locator('[data-testid=history-event]').first().waitFor({ timeout: 60_000 });
  const usable = await page.evaluate(() => performance.now() - window.__t0);
  // Then page through all of it by scrolling to the end until the timeline says it is complete.
  const t1 = Date.now();
  while ((await page.getByTestId('history-timeline').getAttribute('data-complete')) !== 'true') {
    await page.evaluate(() => {
      const el = document.querySelector('[data-testid=history-scroll]');
      el.scrollTop = el.scrollHeight;
    });
    await sleep(50);
    if (Date.now() - t1 > 120_000) break;
  }
  const all = Number(await page.getByTestId('history-timeline').getAttribute('data-count'));
  return { usable, all, allMs: Date.now() - t1 };
}

async function metricsQueries() {
  const runs = [];
  for (let i = 0; i < 6; i++) {
    for (const input of [{}, { version: 2 }, { from: new Date(Date.now() - 7 * 86_400_000).toISOString() }]) {
      const view = await ops.router.invoke('inspection.metrics', input);
      if (i > 0) runs.push(view.queryMs);
    }
  }
  const names = Object.keys(runs[0]);
  const medians = Object.fromEntries(
    names.map((n) => [
      n,
      pct(
        runs.map((r) => r[n]),
        0.5,
      ),
    ]),
  );
  const started = performance.now();
  await db.query(`SELECT p.phase, e.version, percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY p.duration_ms)
                    FROM workflow_phases p JOIN workflow_executions e USING (workflow_id, run_id)
                   WHERE p.status = 'completed' GROUP BY 1, 2`);
  const raw = performance.now() - started;
  return { medians, max: Math.max(...Object.values(medians)), raw };
}

try {
  await ops.router.invoke('stack.start', {});
  while (ops.worker.current().state !== 'running') await sleep(50);
  const spec = ops.stack.spec();
  db = new pg.Pool({ connectionString: postgresUrl(spec.appPostgres, spec.appPostgres.database), max: 4 });
  server = await startBrowserServer({
    router: ops.router,
    staticDir: path.resolve('dist', 'renderer'),
    port: 0,
  });
  browser = await launchBrowser();
  const page = await openPage(browser, undefined, { probes: [phaseNodeProbes, firstRowProbe] });

  if (process.env.BENCH_ONLY === 'list') {
    // A quicker loop while working on the list alone (not the benchmark's figures).
    await generateBulk();
    const list = await listRender(page);
    console.log(
      `list only: first ${round(list.firstRender)} ms, scroll p50 ${list.scrollP50} p95 ${list.scrollP95}`,
    );
  } else if (process.env.BENCH_ONLY === 'graph') await graphFirstRenderCancelled(page);
  else await fullRun(page);
} finally {
  await browser?.close().catch(() => undefined);
  await server?.close().catch(() => undefined);
  await db?.end().catch(() => undefined);
  await ops.router.invoke('stack.stop', {}).catch(() => undefined);
  await ops.shutdown();
  fs.rmSync(home, { recursive: true, force: true });
}

async function fullRun(page) {
  const history = await bigHistory();
  console.log(`history: ${history.workflowId} has ${history.length} events`);
  await graphFirstRenderCancelled(page);
  await generateBulk();

  const live = await liveUpdates(page);
  console.log(`live: ${TRANSITIONS} transitions`);
  const list = await listRender(page);
  console.log(`list: ${list.total} cycles, scroll p50 frame ${round(list.scrollP50)} ms`);
  const hist = await historyRender(page, history.workflowId);
  console.log(`history: all ${hist.all} events paged in by scrolling in ${hist.allMs} ms`);
  const metrics = await metricsQueries();
  console.log(`metrics medians: ${JSON.stringify(metrics.medians)}`);

  console.log(`BENCH live_update_p50_ms ${round(live.p50)}`);
  console.log(`BENCH live_update_p95_ms ${round(live.p95)}`);
  console.log(`BENCH list_100k_first_render_ms ${round(list.firstRender)}`);
  console.log(`BENCH list_scroll_p95_frame_ms ${round(list.scrollP95)}`);
  console.log(`BENCH history_10k_render_ms ${round(hist.usable)}`);
  console.log(`BENCH metrics_query_max_ms ${round(metrics.max)}`);
  console.log(
    `baseline: exact percentiles over the same raw rows (percentile_cont, phases ⋈ executions) take ${Math.round(metrics.raw)} ms`,
  );
}

// ---- The phase graph's first render for a cancelled cycle with compensation arcs ----
// A cycle cancelled while Request for Information ran: five phases compensated in the worker's order (so four
// arcs), three pending. Timed from opening the cycle to every node and arc drawn and the graph fitted.
async function graphFirstRenderCancelled(page) {
  const wf = 'bench-cancelled-1';
  const compensated = [
    'request_for_information',
    'sample_selection',
    'data_owner_identification',
    'scoping',
    'planning',
  ];
  await db.query(
    `INSERT INTO workflow_executions (workflow_id, run_id, workflow_type, cycle_id, version, status, input)
     VALUES ($1, 'run-cancelled', 'TestCycleWorkflow', 999998, 2, 'cancelled', '{}')`,
    [wf],
  );
  for (const { id, number: n, compensation: c } of PHASES)
    await db.query(
      `INSERT INTO workflow_phases (workflow_id, run_id, phase, phase_number, status, compensation_strategy)
       VALUES ($1, 'run-cancelled', $2, $3, $4, $5)`,
      [wf, id, n, compensated.includes(id) ? 'compensated' : 'pending', c],
    );
  for (const [i, phase] of compensated.entries()) {
    const strategy = PHASES.find(({ id }) => id === phase).compensation;
    await db.query(
      `INSERT INTO workflow_compensation_log (workflow_id, run_id, phase, strategy, action, outcome, reason, created_at)
       VALUES ($1, 'run-cancelled', $2, $3, $4, 'done', 'bench', now() + make_interval(secs => $5))`,
      [wf, phase, strategy, `compensate ${phase}`, i],
    );
  }
  const samples = [];
  for (let i = 0; i < 5; i++) {
    await page.goto(`${server.url}#/stack`);
    await page.locator('[data-testid=nav-workflows]').waitFor();
    await page.evaluate((id) => {
      window.__t0 = performance.now();
      window.location.hash = `#/workflows?open=${id}`;
    }, wf);
    const ms = await page.waitForFunction(
      () => {
        const graph = document.querySelector('[data-testid=phase-graph][data-compensations="5"]');
        if (!graph || graph.querySelectorAll('.compensation-edge').length !== 4) return false;
        if (graph.querySelectorAll('[data-testid^="phase-node-"]').length !== 8) return false;
        const panel = graph.getBoundingClientRect();
        const fitted = [...graph.querySelectorAll('[data-testid^="phase-node-"]')].every((n) => {
          const r = n.getBoundingClientRect();
          return (
            r.left >= panel.left && r.right <= panel.right && r.top >= panel.top && r.bottom <= panel.bottom
          );
        });
        return fitted ? performance.now() - window.__t0 : false;
      },
      null,
      { timeout: 60_000, polling: 'raf' },
    );
    samples.push(await ms.jsonValue());
  }
  console.log(`graph: cancelled cycle first render ${samples.map(round).join(', ')} ms`);
  console.log(`BENCH graph_first_render_cancelled_ms ${round(pct(samples, 0.5))} ms`);
}
