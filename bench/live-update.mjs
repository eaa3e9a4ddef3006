// npm run bench:live-update — live updates end to end: a real stack (embedded), the real worker and Temporal, the
// console in browser mode in Debian's Chromium. For every phase of the watched cycles, the time from the worker's
// last activity of that phase completing (the earlier of its ActivityTaskCompleted eventTime in the Temporal
// history and its commit's time in workflow_activities, both on this machine's clock) to the phase node's
// data-state turning "completed" in the console's page (Date.now() in the page's MutationObserver, the same clock).
// p50/p95 with 1 cycle running and with 50 running at once (three rounds of 50, their phase changes pooled).
// Baseline in the same run, on the same completions: the real Temporal Web UI (the stack's own, built by
// provisioning) — the cycle's history page (the ActivityTaskCompleted row appearing) and the workflows list (the
// cycle's row turning Completed, from the workflow's completion event).
// The floor of the live path in the same run: a process of its own that only listens on the progress channel (the
// commit heard by a client that does nothing else); the console's part of each change is printed beside it.
// Memory: the console's RSS (this process hosts the console's back end, as the desktop app's main process does)
// and each worker process's RSS, at idle, during the 50-cycle run, and with a 100,000-cycle Workflows list open.
// Prints BENCH lines, each with the 1-minute load average beside it; exits non-zero on a broken setup.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fork } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import { tsToMs } from '@temporalio/common';
import { createConsole, postgresUrl, startBrowserServer } from '../dist-bench/back-end.mjs';
import {
  launchBrowser,
  openPage,
  phaseChangeKey,
  phaseNodeProbes,
  phaseValuesSql,
  scratchHome,
  sleep,
  waitForWorker,
} from './support.mjs';

const SINGLE = Number(process.env.BENCH_SINGLE_CYCLES ?? 5);
const AT_ONCE = Number(process.env.BENCH_AT_ONCE ?? 50);
const WATCHED = Number(process.env.BENCH_WATCHED ?? 5);
/**
 * Rounds of AT_ONCE cycles, their phase changes pooled: one round times 40 (5 watched × 8 phases), whose p95 is the
 * third-slowest, and from one run to the next that alone moved it by tens of milliseconds.
 */
const MANY_ROUNDS = Number(process.env.BENCH_MANY_ROUNDS ?? 3);
const LIST_CYCLES = Number(process.env.BENCH_LIST_CYCLES ?? 100_000);
/** How long after the last single cycle finished the Web UI's list gets to show the cycles without a reload. */
const LIST_WAIT_MS = Number(process.env.BENCH_LIST_WAIT_MS ?? 60_000);
const REPORTS = [1, 2, 3];
/** The console's and the Web UI's pages: one size for both. */
const VIEWPORT = { width: 1360, height: 900 };
const ACTIVITY_COMPLETED = 12; // temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
const ACTIVITY_SCHEDULED = 10;
const WORKFLOW_COMPLETED = 2;
const WORKFLOW_TASK_STARTED = 6;
const WORKFLOW_TASK_COMPLETED = 7;

const pct = (xs, p) => {
  if (xs.length === 0)
    throw new Error('no samples: the page never showed a phase change it could be timed on');
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
};
const round = (x) => Math.round(x * 10) / 10;
const load1 = () => os.loadavg()[0].toFixed(2);
/** A figure and the load average while it was measured (taken when its run ended, not when printed). */
const bench = (name, value, unit, load) => {
  console.log(`BENCH ${name} ${value} ${unit}`);
  console.log(`BENCH load_avg_1m ${load} load`);
};
/** Resident memory of a process in MB, from /proc (0 when it is gone). */
function rssMb(pid) {
  try {
    const line = fs
      .readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return Number(line.split(/\s+/)[1]) / 1024;
  } catch {
    return 0;
  }
}

const home = await scratchHome('ops-bench-live-');
const ops = createConsole({ mode: 'browser', dataDir: home, env: {} });
let server;
let browser;
let db;
let nextCycle = 1;

const TICK = 100; // USER_HZ on Linux

/**
 * CPU seconds used so far by every process on the machine, each with what it is and when it started (ticks since
 * boot), and the machine's uptime in ticks: for where the machine's time goes (cpuUsedByKind).
 */
function cpuSnapshot() {
  const processes = new Map();
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / TICK;
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const kind =
        Number(pid) === process.pid
          ? 'console'
          : ops.worker.pids().includes(Number(pid))
            ? 'worker'
            : /chrom/i.test(cmd)
              ? `chromium ${cmd.match(/--type=([\w-]+)/)?.[1] ?? 'browser'}`
              : /postgres/.test(cmd)
                ? 'postgres'
                : /temporal/.test(cmd)
                  ? 'temporal'
                  : 'other';
      processes.set(pid, { kind, seconds, startedAt: Number(fields[19]) });
    } catch {
      // gone meanwhile
    }
  }
  // And the time the host running this machine gave to others while its processes waited (steal, from /proc/stat):
  // on a shared host it moves every figure of a run.
  const steal = Number(fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/)[8] ?? 0);
  const uptime = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * TICK;
  return { processes, stolen: steal / TICK, uptime };
}

/**
 * CPU seconds used between two snapshots, by what used them: each process's own difference; one started since
 * counts whole; one the first snapshot missed although it ran (read while it changed) is left out.
 */
function cpuUsedByKind(before, after) {
  const used = { 'stolen by the host': after.stolen - before.stolen };
  for (const [pid, p] of after.processes) {
    const was = before.processes.get(pid);
    const since = was ? p.seconds - was.seconds : p.startedAt >= before.uptime ? p.seconds : 0;
    used[p.kind] = (used[p.kind] ?? 0) + since;
  }
  return used;
}

/** Memory now: the console's and each worker process's RSS. */
const memory = () => ({ console: rssMb(process.pid), workers: ops.worker.pids().map(rssMb) });
/** The highest of each figure over samples taken every 250 ms while `work` runs. */
async function peakMemory(work) {
  const peak = memory();
  const timer = setInterval(() => {
    const m = memory();
    peak.console = Math.max(peak.console, m.console);
    m.workers.forEach((w, i) => (peak.workers[i] = Math.max(peak.workers[i] ?? 0, w)));
  }, 250);
  try {
    return { result: await work(), peak };
  } finally {
    clearInterval(timer);
  }
}
function printMemory(label, m, load) {
  bench(`console_rss_mb_${label}`, round(m.console), 'MB', load);
  if (m.workers.length === 0) throw new Error(`no worker process ran (${label})`);
  m.workers.forEach((w, i) =>
    bench(`worker_rss_mb_${label}${m.workers.length > 1 ? `_${i + 1}` : ''}`, round(w), 'MB', load),
  );
}

/**
 * Per phase progress event (the worker's NOTIFY), by workflow:phase:state: when its tracking write ran (the
 * notice's own time, the database's now() in the write's transaction) and when the console's back end got it.
 */
const received = new Map();
ops.router.events.subscribe((name, e) => {
  if (name !== 'workflow.progress' || e.table !== 'workflow_phases' || !e.phase) return;
  const key = phaseChangeKey(e);
  if (!received.has(key)) received.set(key, { heard: Date.now(), written: Date.parse(e.at) });
});

/**
 * The floor of the live path: by workflow:phase:state, when a process of its own that only listens on the progress
 * channel heard the change (its connection keeps full priority, as the console's listener does: the running stack's
 * sweeps leave the connections of the console and the programs it runs at its priority alone).
 */
const floorHeard = new Map();
let floorListener;
async function startFloorListener(url) {
  floorListener = fork(path.resolve('bench', 'notify-listener.mjs'), [url]);
  const ready = new Promise((resolve, reject) => {
    floorListener.once('exit', (code) =>
      reject(new Error(`the floor listener exited (${code}) before listening`)),
    );
    floorListener.on('message', (m) => {
      if (m.ready) resolve();
      for (const key of m.keys ?? []) if (!floorHeard.has(key)) floorHeard.set(key, m.at);
    });
  });
  await ready;
  floorListener.removeAllListeners('exit');
}

/**
 * In a console page, beside phaseNodeProbes: when each phase's progress event reached the page's script (the
 * WebSocket message, before any store has it), and the main thread's time in long tasks.
 */
function deliveryProbes() {
  window.__arrived = {};
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      window.__longTasks.push({ at: performance.timeOrigin + e.startTime, ms: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (m) => {
        const at = Date.now();
        if (typeof m.data !== 'string' || !m.data.includes('"workflow.progress"')) return;
        // One turn of the console's events per message.
        for (const { name, payload: e } of JSON.parse(m.data).events)
          if (name === 'workflow.progress' && e.table === 'workflow_phases' && e.phase)
            window.__arrived[`${e.workflowId}:${e.phase}:${e.kind.split(':')[1]}`] ??= at;
      });
    }
  };
}

/** In a Web UI history page: when each event's row first shows. */
function historyProbes() {
  window.__rows = {};
  const scan = () => {
    const at = Date.now();
    for (const row of document.querySelectorAll('tr[data-testid=event-summary-row][data-eventid]'))
      window.__rows[row.dataset.eventid] ??= at;
  };
  new MutationObserver(scan).observe(document, { subtree: true, childList: true });
}

/** In a Web UI list page: when the given workflow's row first shows Completed. */
function listProbes() {
  window.__completedAt = {};
  new MutationObserver(() => {
    const at = Date.now();
    for (const row of document.querySelectorAll('[data-testid=workflows-summary-configurable-table-row]')) {
      if (!/Completed/.test(row.querySelector('[data-testid=execution-status]')?.textContent ?? '')) continue;
      const link = [...row.querySelectorAll('a')].find((a) => /\/workflows\/test-cycle-\d+\//.test(a.href));
      const id = link?.href.match(/\/workflows\/(test-cycle-\d+)\//)?.[1];
      if (id) window.__completedAt[id] ??= at;
    }
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
}

/** From a cycle's history: per phase, when its last activity completed; each completion's event id; the end. */
async function completions(workflowId) {
  const client = await ops.cycles.client();
  const { events } = await client.workflow.getHandle(workflowId).fetchHistory();
  const phaseOf = new Map();
  const byPhase = {};
  const activities = [];
  /** Per phase: its origin, then when the workflow task that follows it started and completed. */
  const stages = {};
  let completedAt;
  for (const [i, e] of events.entries()) {
    if (e.eventType === ACTIVITY_SCHEDULED) {
      const payload = e.activityTaskScheduledEventAttributes.input?.payloads?.[0]?.data;
      const phase = payload ? JSON.parse(Buffer.from(payload).toString()).phase : undefined;
      phaseOf.set(String(e.eventId), phase);
    } else if (e.eventType === ACTIVITY_COMPLETED) {
      const phase = phaseOf.get(String(e.activityTaskCompletedEventAttributes.scheduledEventId));
      const at = tsToMs(e.eventTime);
      activities.push({ eventId: String(e.eventId), at });
      if (phase && at >= (byPhase[phase] ?? 0)) {
        byPhase[phase] = at;
        const next = (type) => events.slice(i).find((x) => x.eventType === type);
        const started = next(WORKFLOW_TASK_STARTED);
        const done = next(WORKFLOW_TASK_COMPLETED);
        stages[phase] = {
          taskStarted: started ? tsToMs(started.eventTime) - at : NaN,
          taskCompleted: done ? tsToMs(done.eventTime) - at : NaN,
        };
      }
    } else if (e.eventType === WORKFLOW_COMPLETED) completedAt = tsToMs(e.eventTime);
  }
  if (activities.length === 0) throw new Error(`${workflowId}: no activity completed in its history`);
  if (!completedAt) throw new Error(`${workflowId}: its history has no completion`);
  // The phase's last activity writes the phase completed in the commit of its work, before Temporal hears of it:
  // its finish time (the database clock just before that commit) is when the work was done. The origin is the
  // earlier of the two, so the console is never timed from a later moment than the Web UI's baseline.
  const { rows } = await db.query(
    `SELECT phase, (extract(epoch FROM max(finished_at)) * 1000)::float8 AS at FROM workflow_activities
      WHERE workflow_id = $1 AND status = 'completed' GROUP BY phase`,
    [workflowId],
  );
  const committed = Object.fromEntries(rows.map((r) => [r.phase, r.at]));
  for (const [phase, at] of Object.entries(byPhase)) {
    const done = committed[phase];
    if (done === undefined) continue;
    stages[phase].committed = done - at;
    byPhase[phase] = Math.min(at, done);
    // The workflow task's hops stay counted from the ActivityTaskCompleted event.
    stages[phase].taskStarted += at - byPhase[phase];
    stages[phase].taskCompleted += at - byPhase[phase];
  }
  return { byPhase, stages, activities, completedAt };
}

/** A console page open on a cycle (before it starts), ready once the cycle's phase graph shows. */
async function consolePage(workflowId) {
  const page = await openPage(browser, `${server.url}#/workflows?open=${workflowId}`, {
    probes: [phaseNodeProbes, deliveryProbes],
    viewport: VIEWPORT,
  });
  await page.getByTestId('open-cycle').waitFor({ timeout: 60_000 });
  return page;
}

/** Latencies of a console page's phase completions, each from its phase's last activity completing. */
async function consoleLatencies(page, workflowId, readyAt) {
  const { byPhase, stages } = await completions(workflowId);
  const changes = await page.evaluate(() => window.__changes);
  // Only while the cycle was watched: the page's own load (its first render) is not counted.
  const longTasks = (await page.evaluate(() => window.__longTasks)).filter((t) => t.at >= readyAt);
  const longest = Math.max(0, ...longTasks.map((t) => t.ms));
  const arrived = await page.evaluate(() => window.__arrived);
  console.log(
    `${workflowId}: while it was watched, the page's main thread ran ${longTasks.length} long tasks (over 50 ms), ${Math.round(longTasks.reduce((a, t) => a + t.ms, 0))} ms in all, the longest ${Math.round(longest)} ms`,
  );
  const out = [];
  for (const [phase, origin] of Object.entries(byPhase)) {
    if (origin < readyAt) continue; // completed before the page was watching
    const shown = changes.find((c) => c.phase === phase && c.state === 'completed' && c.at >= origin - 1000);
    if (!shown) throw new Error(`${workflowId}: the console page never showed ${phase} completed`);
    const key = `${workflowId}:${phase}:completed`;
    const notice = received.get(key);
    out.push({
      workflowId,
      phase,
      ms: shown.at - origin,
      written: notice ? notice.written - origin : NaN,
      heard: notice ? notice.heard - origin : NaN,
      arrived: arrived[key] === undefined ? NaN : arrived[key] - origin,
      floor: floorHeard.has(key) ? floorHeard.get(key) - origin : NaN,
      ...stages[phase],
    });
  }
  return out;
}

async function startCycle() {
  const cycleId = nextCycle++;
  const { workflowId } = await ops.cycles.start({
    cycleId,
    reportIds: REPORTS,
    skipPhases: [],
    autoApprove: true,
  });
  return workflowId;
}

async function waitDone(ids) {
  const client = await ops.cycles.client();
  await Promise.all(ids.map((id) => client.workflow.getHandle(id).result()));
}

/** One cycle at a time, watched by the console and by the Web UI's history and list pages. */
async function singleCycles(uiBase) {
  const consoleMs = [];
  const uiDetailMs = [];
  const listPage = await openPage(browser, `${uiBase}/namespaces/default/workflows`, {
    probes: [listProbes],
    viewport: VIEWPORT,
  });
  await listPage.getByTestId('workflow-count').waitFor({ timeout: 60_000 });
  const finished = [];
  for (let i = 0; i < SINGLE; i++) {
    const workflowId = `test-cycle-${nextCycle}`;
    // The cycle starts while the worker is stopped, so both pages are open and showing it before its first
    // activity runs (a cold load of the Web UI takes longer than a cycle runs on a loaded machine).
    await ops.router.invoke('worker.stop', {});
    const page = await consolePage(workflowId);
    // BENCH_PROFILE=<file>: the first watched page's CPU profile over its cycle (Chrome DevTools format).
    const profiler =
      process.env.BENCH_PROFILE && i === 0 ? await page.context().newCDPSession(page) : undefined;
    if (profiler) {
      await profiler.send('Profiler.enable');
      await profiler.send('Profiler.start');
    }
    const readyAt = Date.now();
    await startCycle();
    const client = await ops.cycles.client();
    const { runId } = await client.workflow.getHandle(workflowId).describe();
    const uiPage = await openPage(
      browser,
      `${uiBase}/namespaces/default/workflows/${workflowId}/${runId}/history`,
      { probes: [historyProbes], viewport: VIEWPORT },
    );
    await uiPage.locator('tr[data-testid=event-summary-row]').first().waitFor({ timeout: 60_000 });
    await ops.router.invoke('worker.start', {});
    await waitForWorker(ops);
    const uiReadyAt = Date.now();
    await waitDone([workflowId]);
    if (profiler) {
      await sleep(1000);
      const { profile } = await profiler.send('Profiler.stop');
      fs.writeFileSync(process.env.BENCH_PROFILE, JSON.stringify(profile));
    }
    const { activities, completedAt } = await completions(workflowId);
    finished.push({ workflowId, completedAt });
    const last = activities.at(-1);
    // Until the Web UI's history shows the last completion (it long-polls the history).
    await uiPage
      .waitForFunction((id) => window.__rows[id] !== undefined, last.eventId, { timeout: 60_000 })
      .catch(() => undefined);
    await sleep(500);
    const rows = await uiPage.evaluate(() => window.__rows);
    const ui = [];
    for (const a of activities) {
      if (a.at < uiReadyAt) continue; // completed before the page was watching
      if (rows[a.eventId] === undefined)
        throw new Error(`${workflowId}: the Web UI's history never showed event ${a.eventId}`);
      ui.push(rows[a.eventId] - a.at);
    }
    uiDetailMs.push(...ui);
    const samples = await consoleLatencies(page, workflowId, readyAt);
    consoleMs.push(...samples);
    console.log(
      `1 cycle, ${workflowId}: console ${samples.map((s) => `${s.phase} ${s.ms}`).join(', ')} ms; Web UI history ${ui.join(', ')} ms`,
    );
    await page.close();
    await uiPage.close();
  }
  const loadAt = load1();
  // The list, open all along and never reloaded: when each cycle's row showed Completed (it refreshes itself or not).
  const deadline = finished.at(-1).completedAt + LIST_WAIT_MS;
  await listPage
    .waitForFunction(
      (ids) => ids.every((id) => window.__completedAt[id]),
      finished.map((f) => f.workflowId),
      {
        timeout: Math.max(1, deadline - Date.now()),
      },
    )
    .catch(() => undefined);
  const shown = await listPage.evaluate(() => window.__completedAt);
  const now = Date.now();
  const uiListMs = finished.map((f) => (shown[f.workflowId] ?? now) - f.completedAt);
  const notShown = finished.filter((f) => !shown[f.workflowId]).length;
  console.log(
    `Web UI list: ${uiListMs.join(', ')} ms${notShown ? ` (${notShown} of ${finished.length} not shown by then: a lower bound)` : ''}`,
  );
  // The probe itself is checked: a reload must show every one of them Completed.
  await listPage.reload();
  await listPage
    .waitForFunction(
      (ids) => ids.every((id) => window.__completedAt[id]),
      finished.map((f) => f.workflowId),
      {
        timeout: 60_000,
      },
    )
    .catch(() => {
      throw new Error("the Web UI's list did not show the finished cycles Completed even after a reload");
    });
  await listPage.close();
  return { consoleMs, uiDetailMs, uiListMs, listNotShown: notShown, loadAt };
}

/** AT_ONCE cycles started together; WATCHED of them open in console pages (spread over the batch). */
async function manyCycles() {
  const first = nextCycle;
  const watchedIds = Array.from(
    { length: Math.min(WATCHED, AT_ONCE) },
    (_, k) => `test-cycle-${first + Math.floor((k * (AT_ONCE - 1)) / Math.max(1, WATCHED - 1))}`,
  );
  const pages = [];
  for (const id of watchedIds) pages.push({ id, page: await consolePage(id) });
  const readyAt = Date.now();
  // How long the console's event loop (its back end runs in this process) was held up while the cycles ran.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const cpuBefore = cpuSnapshot();
  // BENCH_PAGE_PROFILE=<file>: the first watched page's script profile over the run, for reading where it goes.
  const profiled = process.env.BENCH_PAGE_PROFILE
    ? await pages[0].page.context().newCDPSession(pages[0].page)
    : undefined;
  if (profiled) {
    await profiled.send('Profiler.enable');
    await profiled.send('Profiler.start');
  }
  // BENCH_CONSOLE_PROFILE=<file>: this process's script profile over the run (the console's back end runs here).
  const consoleProfiler = process.env.BENCH_CONSOLE_PROFILE ? new Session() : undefined;
  if (consoleProfiler) {
    consoleProfiler.connect();
    await consoleProfiler.post('Profiler.enable');
    await consoleProfiler.post('Profiler.start');
  }
  // BENCH_PAGE_TRACE=<file>: the first watched page's timeline trace (scripting, style, layout, paint) over the run.
  if (process.env.BENCH_PAGE_TRACE)
    await browser.startTracing(pages[0].page, {
      path: process.env.BENCH_PAGE_TRACE,
      categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'],
    });
  // What the console pushed to each open page meanwhile, by event name, and its log lines by source and level.
  const pushed = new Map();
  const logged = new Map();
  // (The console's modules are its own; the bench reads the inspection's count of shared reads.)
  const sharedBefore = ops.modules.find((m) => m.name === 'inspection').sharedReads.joined;
  // And what the pages asked for, by operation: calls and the size of their answers.
  const answered = new Map();
  const call = ops.router.call.bind(ops.router);
  ops.router.call = async (op, input, meta) => {
    const result = await call(op, input, meta);
    const seen = answered.get(op) ?? { count: 0, bytes: 0 };
    seen.count++;
    seen.bytes += JSON.stringify(result).length;
    answered.set(op, seen);
    return result;
  };
  const countPushed = ops.router.events.subscribe((name, payload) => {
    const seen = pushed.get(name) ?? { count: 0, bytes: 0 };
    if (name === 'log')
      logged.set(
        `${payload.source} ${payload.level}`,
        (logged.get(`${payload.source} ${payload.level}`) ?? 0) + 1,
      );
    seen.count++;
    seen.bytes += JSON.stringify(payload).length;
    pushed.set(name, seen);
  });
  const { peak } = await peakMemory(async () => {
    const ids = [];
    for (let i = 0; i < AT_ONCE; i++) ids.push(await startCycle());
    await waitDone(ids);
  });
  loopDelay.disable();
  const cpuAfter = cpuSnapshot();
  if (process.env.BENCH_PAGE_TRACE) await browser.stopTracing();
  if (consoleProfiler) {
    const { profile } = await consoleProfiler.post('Profiler.stop');
    fs.writeFileSync(process.env.BENCH_CONSOLE_PROFILE, JSON.stringify(profile));
    consoleProfiler.disconnect();
  }
  if (profiled)
    fs.writeFileSync(
      process.env.BENCH_PAGE_PROFILE,
      JSON.stringify((await profiled.send('Profiler.stop')).profile),
    );
  console.log(
    `CPU seconds while ${AT_ONCE} cycles ran: ${Object.entries(cpuUsedByKind(cpuBefore, cpuAfter))
      .sort((a, b) => b[1] - a[1])
      .map(([kind, used]) => `${kind} ${round(used)}`)
      .join(', ')}`,
  );
  countPushed();
  ops.router.call = call;
  const shared = ops.modules.find((m) => m.name === 'inspection').sharedReads.joined - sharedBefore;
  console.log(
    `calls the pages made while ${AT_ONCE} cycles ran: ${[...answered]
      .sort((a, b) => b[1].bytes - a[1].bytes)
      .map(([op, { count, bytes }]) => `${op} ${count} (${Math.round(bytes / 1024)} KB)`)
      .join(', ')}; ${shared} list calls answered by a read another window had asked for`,
  );
  console.log(
    `events pushed to each page while ${AT_ONCE} cycles ran: ${[...pushed]
      .sort((a, b) => b[1].bytes - a[1].bytes)
      .map(([name, { count, bytes }]) => `${name} ${count} (${Math.round(bytes / 1024)} KB)`)
      .join(', ')}; the log lines among them by source: ${[...logged]
      .sort((a, b) => b[1] - a[1])
      .map(([source, count]) => `${source} ${count}`)
      .join(', ')}`,
  );
  console.log(
    `the console's event loop while ${AT_ONCE} cycles ran: delay p50 ${round(loopDelay.percentile(50) / 1e6)} ms, p99 ${round(loopDelay.percentile(99) / 1e6)} ms, max ${round(loopDelay.max / 1e6)} ms`,
  );
  const loadAt = load1();
  await sleep(500);
  const ms = [];
  for (const { id, page } of pages) {
    const samples = await consoleLatencies(page, id, readyAt);
    ms.push(...samples);
    console.log(`${AT_ONCE} cycles, ${id}: ${samples.map((s) => `${s.phase} ${s.ms}`).join(', ')} ms`);
    await page.close();
  }
  return { ms, peak, loadAt };
}

/** 100,000 finished cycles in the tracking tables, then the Workflows list open and scrolled. */
async function bigList() {
  await db.query(`
    INSERT INTO workflow_executions (workflow_id, run_id, workflow_type, cycle_id, version, status, input, started_at,
                                     finished_at, duration_ms)
    SELECT 'bench-cycle-' || g, 'run-' || g, 'TestCycleWorkflow', 100000 + g, 4, 'completed', '{}'::jsonb,
           now() - g * interval '25 seconds', now() - g * interval '25 seconds' + interval '20 minutes', 1200000
      FROM generate_series(1, ${LIST_CYCLES}) g`);
  await db.query(`
    INSERT INTO workflow_phases (workflow_id, run_id, phase, phase_number, status, compensation_strategy, started_at,
                                 finished_at, duration_ms)
    SELECT 'bench-cycle-' || g, 'run-' || g, p.id, p.n, 'completed', p.c, now() - g * interval '25 seconds',
           now() - g * interval '25 seconds' + interval '2 minutes', 120000
      FROM generate_series(1, ${LIST_CYCLES}) g
     CROSS JOIN (VALUES ${phaseValuesSql()}) p(id, n, c)`);
  await db.query('ANALYZE');
  const page = await openPage(browser);
  const { peak } = await peakMemory(async () => {
    await page.goto(`${server.url}#/workflows`);
    await page.locator('[data-testid=cycle-row]').first().waitFor({ timeout: 120_000 });
    const total = Number(await page.getByTestId('cycle-table').getAttribute('data-total'));
    if (total < LIST_CYCLES) throw new Error(`the list counts ${total} cycles, not ${LIST_CYCLES}+`);
    // Scrolled down through the rows and far into them, as an operator looking for one would.
    await page.evaluate(async () => {
      const el = document.querySelector('[data-testid=cycle-scroll]');
      for (let n = 1; n <= 120; n++) {
        el.scrollTop = n % 30 === 0 ? el.scrollTop + 400_000 : el.scrollTop + 600;
        await new Promise((r) => requestAnimationFrame(r));
      }
    });
    await sleep(1000);
  });
  const loadAt = load1();
  await page.close();
  return { peak, loadAt };
}

try {
  await ops.router.invoke('stack.start', {});
  await waitForWorker(ops);
  const spec = ops.stack.spec();
  if (!spec.temporalUi.enabled) throw new Error('the stack runs without its Web UI: the baseline needs it');
  const uiBase = `http://127.0.0.1:${spec.temporalUi.port}`;
  // The baseline as an operator runs it: the Web UI's server at normal priority, although the console's settings
  // have the stack's services yield to the console (raising a priority back needs root; the line says if it did).
  const uiPid = (await ops.router.invoke('stack.status', {})).services.find(
    (x) => x.id === 'temporal-ui',
  )?.pid;
  try {
    for (const tid of fs.readdirSync(`/proc/${uiPid}/task`)) os.setPriority(Number(tid), 0);
    // Its session's share too, where the kernel shares the CPU by session (the console lowered it with the rest).
    if (fs.existsSync(`/proc/${uiPid}/autogroup`)) fs.writeFileSync(`/proc/${uiPid}/autogroup`, '0');
    const session = fs.existsSync(`/proc/${uiPid}/autogroup`)
      ? `, its session's share at ${fs.readFileSync(`/proc/${uiPid}/autogroup`, 'utf8').trim().split(' ').at(-1)}`
      : '';
    console.log(
      `the Web UI's server (pid ${uiPid}) runs at normal priority, nice ${os.getPriority(uiPid)}${session}`,
    );
  } catch (err) {
    console.log(`the Web UI's server stays at nice ${os.getPriority(uiPid)}: ${err.message}`);
  }
  if (!(await fetch(`${uiBase}/`)).ok) throw new Error(`the Web UI does not answer on ${uiBase}`);
  await ops.router.invoke('workflows.createDemoData', { reports: REPORTS.length });
  db = new pg.Pool({ connectionString: postgresUrl(spec.appPostgres, spec.appPostgres.database), max: 2 });
  await startFloorListener(postgresUrl(spec.appPostgres, spec.appPostgres.database));
  server = await startBrowserServer({
    router: ops.router,
    staticDir: path.resolve('dist', 'renderer'),
    port: 0,
  });
  browser = await launchBrowser();
  // A warm-up cycle (worker caches, first queries, the page's code), not counted.
  await waitDone([await startCycle()]);

  // Idle: the stack up, the worker polling, a console page open on the Workflows page.
  const idlePage = await openPage(browser, `${server.url}#/workflows`);
  await sleep(3000);
  const idle = memory();
  const idleLoad = load1();
  await idlePage.close();

  const one = await singleCycles(uiBase);
  const rounds = [];
  for (let r = 0; r < MANY_ROUNDS; r++) rounds.push(await manyCycles());
  const many = {
    ms: rounds.flatMap((r) => r.ms),
    // The highest of each process's peaks over the rounds; the load when the last round ended.
    peak: {
      console: Math.max(...rounds.map((r) => r.peak.console)),
      workers: rounds[0].peak.workers.map((_, i) => Math.max(...rounds.map((r) => r.peak.workers[i] ?? 0))),
    },
    loadAt: rounds.at(-1).loadAt,
  };
  const list = await bigList();

  const hops = [
    ['work committed', 'committed'],
    ['workflow task started', 'taskStarted'],
    ["tracking write's transaction start (now())", 'written'],
    ['workflow task completed', 'taskCompleted'],
    ['a listener doing nothing else hears it (the floor)', 'floor'],
    ["console's back end has the NOTIFY", 'heard'],
    ["page's script has the event", 'arrived'],
    ['phase node shows it', 'ms'],
  ];
  const where = (samples) =>
    hops
      .map(([label, k]) => {
        const xs = samples.map((x) => x[k]).filter((x) => !Number.isNaN(x));
        return `${label} ${xs.length ? `${pct(xs, 0.5)}/${pct(xs, 0.95)}` : 'n/a'}`;
      })
      .join(', ');
  console.log(
    `where the time goes, 1 cycle (ms after the phase's work was done, p50/p95; "work committed" is from ActivityTaskCompleted, negative when the commit came first): ${where(one.consoleMs)}`,
  );
  console.log(`where the time goes, ${AT_ONCE} cycles: ${where(many.ms)}`);
  // The p95 is the second-worst of 40: the worst few, hop by hop.
  // BENCH_SAMPLES=<file>: every timed phase change with its hops (JSON), for pooling runs.
  if (process.env.BENCH_SAMPLES)
    fs.writeFileSync(process.env.BENCH_SAMPLES, JSON.stringify({ one: one.consoleMs, many: many.ms }));
  const worst = [...many.ms].sort((a, b) => b.ms - a.ms).slice(0, 4);
  console.log(
    `the slowest with ${AT_ONCE} at once: ${worst
      .map((x) => `${x.workflowId} ${x.phase} ${hops.map(([, k]) => Math.round(x[k])).join('/')}`)
      .join('; ')} (ms, in the order of the hops above)`,
  );
  const p50one = pct(
    one.consoleMs.map((x) => x.ms),
    0.5,
  );
  const p95one = pct(
    one.consoleMs.map((x) => x.ms),
    0.95,
  );
  const p50many = pct(
    many.ms.map((x) => x.ms),
    0.5,
  );
  const p95many = pct(
    many.ms.map((x) => x.ms),
    0.95,
  );
  // What the console adds to the floor, change by change: its back end, the push, the page's script and drawing.
  const floorOf = (samples, p) => {
    const timed = samples.filter((x) => !Number.isNaN(x.floor));
    if (timed.length < samples.length)
      throw new Error(
        `the floor listener missed ${samples.length - timed.length} of ${samples.length} phase changes`,
      );
    const at = (of) => round(pct(timed.map(of), p));
    return { floor: at((x) => x.floor), added: at((x) => x.ms - x.floor) };
  };
  const uiDetail = pct(one.uiDetailMs, 0.5);
  const uiList = pct(one.uiListMs, 0.5);
  console.log(
    `samples: ${one.consoleMs.length} phase completions with 1 cycle running (${SINGLE} cycles), ${many.ms.length} with ${AT_ONCE} at once (${MANY_ROUNDS} rounds, ${WATCHED} watched in each); Web UI: ${one.uiDetailMs.length} history rows (p95 ${pct(one.uiDetailMs, 0.95)} ms), ${one.uiListMs.length} list rows`,
  );
  console.log(
    `baseline: the real Temporal Web UI 2.54 of the same stack, in the same Chromium, on the same cycles with 1 running: its history page (median time from each ActivityTaskCompleted eventTime to that event's row showing) and its workflows list, opened once and never reloaded (median time from the WorkflowExecutionCompleted eventTime to the cycle's row showing Completed; ${one.listNotShown} of ${SINGLE} rows not shown ${LIST_WAIT_MS} ms after the last cycle finished, counted as the time waited: a lower bound). Console: from the moment the phase's last activity was done (the earlier of its ActivityTaskCompleted eventTime and its commit's time in workflow_activities.finished_at) to the phase node's data-state turning completed. Floor: a process of its own that only listens on the progress channel, at the console's priority, hears the same change (live_update_notify_floor_*); the console's part is, change by change, its time minus the floor's (live_update_console_added_*). Memory: RSS from /proc; the console's is this process (its back end; the page runs in Chromium).`,
  );
  bench('live_update_e2e_p50_ms_1', round(p50one), 'ms', one.loadAt);
  bench('live_update_e2e_p95_ms_1', round(p95one), 'ms', one.loadAt);
  bench(`live_update_e2e_p50_ms_${AT_ONCE}`, round(p50many), 'ms', many.loadAt);
  bench(`live_update_e2e_p95_ms_${AT_ONCE}`, round(p95many), 'ms', many.loadAt);
  for (const [label, samples, loadAt] of [
    ['1', one.consoleMs, one.loadAt],
    [`${AT_ONCE}`, many.ms, many.loadAt],
  ])
    for (const [p, name] of [
      [0.5, 'p50'],
      [0.95, 'p95'],
    ]) {
      const { floor, added } = floorOf(samples, p);
      bench(`live_update_notify_floor_${name}_ms_${label}`, floor, 'ms', loadAt);
      bench(`live_update_console_added_${name}_ms_${label}`, added, 'ms', loadAt);
    }
  bench('temporal_ui_detail_update_ms', round(uiDetail), 'ms', one.loadAt);
  bench('temporal_ui_list_update_ms', round(uiList), 'ms', one.loadAt);
  bench('live_update_e2e_over_temporal_ui_detail_ratio', (p50one / uiDetail).toFixed(3), 'x', one.loadAt);
  printMemory('idle', idle, idleLoad);
  printMemory(`${AT_ONCE}_cycles`, many.peak, many.loadAt);
  printMemory('100k_list', list.peak, list.loadAt);
} finally {
  await browser?.close().catch(() => undefined);
  await server?.close().catch(() => undefined);
  await db?.end().catch(() => undefined);
  if (floorListener?.connected) floorListener.disconnect();
  await ops.router.invoke('stack.stop', {}).catch(() => undefined);
  await ops.shutdown();
  fs.rmSync(home, { recursive: true, force: true });
}
process.exit(0);
