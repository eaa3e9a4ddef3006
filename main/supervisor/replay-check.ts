// Replay check before a worker upgrade: the running cycles' and the most recent cycles' histories are replayed
// against a workflow bundle with the SDK's replayer. A cycle that does not replay is named with the first event
// the bundle's code does not produce again (found by replaying shorter and shorter prefixes of its history).
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { ReplayCheckReport, ReplayCycleResult, ReplayMismatch } from '../api';
import { OpsError } from '../api';
import { historyEventViews } from '../inspection';
import { projectRoot } from '../settings';
import { WORKFLOW_TYPE } from '../../shared/workflow';

type History = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>;
type RawEvent = NonNullable<History['events']>[number];

/** The bundle the worker runs now. */
export function currentBundlePath(): string {
  return path.join(projectRoot(), 'dist', 'worker', 'workflow-bundle.js');
}

export function checkBundleFile(bundlePath: string): string {
  const resolved = path.resolve(bundlePath);
  if (!fs.existsSync(resolved) || !fs.statSync(resolved).isFile()) {
    // The input is well formed; what it names is missing.
    throw new OpsError(
      'NOT_FOUND',
      `There is no workflow bundle at ${resolved}.`,
      'Give the path of a bundle file built with bundleWorkflowCode (the build writes dist/worker/workflow-bundle.js).',
    );
  }
  return resolved;
}

/** The cycles to check: every running one, then the `last` most recent others. */
async function cyclesToCheck(client: Client, last: number) {
  const picked = new Map<string, { workflowId: string; runId: string; status: string }>();
  const take = async (query: string, max: number) => {
    if (max <= 0) return;
    let n = 0;
    for await (const w of client.workflow.list({ query, pageSize: Math.min(max, 500) })) {
      if (!picked.has(w.runId))
        picked.set(w.runId, { workflowId: w.workflowId, runId: w.runId, status: w.status.name });
      if (++n >= max) break;
    }
  };
  await take(`WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`, 10_000);
  await take(`WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus != 'Running'`, last);
  return [...picked.values()];
}

const isStarted = (e: RawEvent) => String(historyEventViews([e])[0]?.type) === 'WorkflowTaskStarted';

let quiet = false;

async function replays(bundle: string, workflowId: string, events: RawEvent[]): Promise<Error | undefined> {
  const { DefaultLogger, Runtime, Worker } = await import('@temporalio/worker');
  if (!quiet) {
    quiet = true;
    // Each replay starts and stops a worker; its state changes are not news for the operator's terminal.
    try {
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch {
      // The process already runs a Temporal runtime (a test with a worker in it): keep its logger.
    }
  }
  try {
    await Worker.runReplayHistory({ workflowBundle: { codePath: bundle } }, { events }, workflowId);
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

/**
 * Replays prefixes that end at a workflow task's start: the longest prefix that still replays tells which task's
 * commands differ; the first event after that task's completion is where the history and the code part ways.
 */
async function firstMismatch(
  bundle: string,
  workflowId: string,
  events: RawEvent[],
  message: string,
): Promise<ReplayMismatch | null> {
  const cuts = events.map((e, i) => (isStarted(e) ? i + 1 : 0)).filter((i) => i > 0);
  let lo = 0; // cuts[lo - 1] replays (0: nothing checked yet)
  let hi = cuts.length; // cuts[hi - 1] may fail
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (await replays(bundle, workflowId, events.slice(0, cuts[mid]!))) hi = mid;
    else lo = mid + 1;
  }
  const from = lo === 0 ? 0 : cuts[lo - 1]!;
  const views = historyEventViews(events.slice(from));
  // The task that completed after the last good prefix: its first command event is where they differ.
  const completed = views.findIndex((v) => v.type === 'WorkflowTaskCompleted');
  const next = views.slice(completed + 1).findIndex((v) => v.type.startsWith('WorkflowTask'));
  const commands = views
    .slice(completed + 1, next < 0 ? undefined : completed + 1 + next)
    .filter((v) => !v.type.startsWith('WorkflowTask'));
  // The replayer's message names what the history has there ('…' quoted): prefer the event it names.
  const named = [...message.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
  const at =
    commands.find((v) => named.some((n) => v.summary.split(' · ').includes(n))) ?? commands[0] ?? views[0];
  return at ? { eventId: at.id, eventType: at.type, detail: at.summary } : null;
}

export async function replayCheck(
  client: Client,
  options: { bundlePath?: string; last: number },
): Promise<ReplayCheckReport> {
  const bundle = options.bundlePath ? checkBundleFile(options.bundlePath) : currentBundlePath();
  if (!options.bundlePath && !fs.existsSync(bundle)) {
    throw new OpsError(
      'BINARY_MISSING',
      `The worker's workflow bundle is missing (${bundle}).`,
      'Build the console (node build.mjs) and check again.',
    );
  }
  const results: ReplayCycleResult[] = [];
  for (const c of await cyclesToCheck(client, options.last)) {
    const history = await client.workflow.getHandle(c.workflowId, c.runId).fetchHistory();
    const events = history.events ?? [];
    const error = await replays(bundle, c.workflowId, events);
    const nondeterminism = error && /nondetermin/i.test(`${error.name} ${error.message}`);
    results.push({
      ...c,
      status: c.status.toLowerCase(),
      outcome: !error ? 'replays' : nondeterminism ? 'nondeterminism' : 'error',
      message: error ? error.message : null,
      firstMismatch: nondeterminism ? await firstMismatch(bundle, c.workflowId, events, error.message) : null,
    });
  }
  return {
    bundle,
    checkedAt: new Date().toISOString(),
    results,
    passed: results.every((r) => r.outcome === 'replays'),
  };
}
