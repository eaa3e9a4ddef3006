// Replay check before a worker upgrade, on the real stack: real histories replay against the bundle the worker
// runs; a bundle built (by code, here) from the workflow with two activities swapped on purpose reports
// nondeterminism at the event where the history and the code part ways, and is not rolled out without the override.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLL_OUT_OVERRIDE } from '../../../main/api/contract';
import { historyEventViews } from '../../../main/inspection';
import { runCycle, startCycleStack, type CycleStack } from '../../support/cycle-stack';

const exec = promisify(execFile);
const root = path.resolve(__dirname, '../../..');
let s: CycleStack;
let scratch: string;
let reordered: string;

/**
 * The workflow sources copied with one change: the final report is summarised before it is written (the two
 * activities of Finalize Test Report swapped). Imports are pointed back at the project.
 */
async function buildReorderedBundle(): Promise<string> {
  const dir = path.join(scratch, 'workflows');
  fs.mkdirSync(dir, { recursive: true });
  for (const file of fs.readdirSync(path.join(root, 'worker/workflows'))) {
    let source = fs.readFileSync(path.join(root, 'worker/workflows', file), 'utf8');
    source = source
      .replaceAll("'../../main/", `'${root}/main/`)
      .replaceAll("'../../shared/", `'${root}/shared/`)
      // Any other module of the worker the workflows import ('../shared', '../activities', …).
      .replace(/'\.\.\/([\w-]+)'/g, `'${root}/worker/$1'`);
    if (file === 'test-cycle.ts') {
      const original = `finalReportId = (await db.finalizeReport(ctx('finalize_test_report', !summarize))).finalReportId;
      if (summarize) await llm.summarizeReport(ctx('finalize_test_report', true), finalReportId);`;
      expect(source).toContain(original);
      source = source.replace(
        original,
        `if (summarize) await llm.summarizeReport(ctx('finalize_test_report', true), finalReportId);
      finalReportId = (await db.finalizeReport(ctx('finalize_test_report', !summarize))).finalReportId;`,
      );
    }
    fs.writeFileSync(path.join(dir, file), source);
  }
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(dir, 'index.ts'),
    webpackConfigHook: (config) => {
      config.resolve = {
        ...config.resolve,
        modules: [path.join(root, 'node_modules'), 'node_modules'],
      };
      return config;
    },
    logger: { info() {}, debug() {}, trace() {}, warn() {}, error: console.error, log() {} },
  });
  const file = path.join(scratch, 'reordered-workflow-bundle.js');
  fs.writeFileSync(file, code);
  return file;
}

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-replay-'));
  s = await startCycleStack();
  await s.ops.router.invoke('workflows.createDemoData', { reports: 2 });
  const owner = await s.db.query<{ id: number }>(
    `INSERT INTO data_owners (name) VALUES ('No address') RETURNING id`,
  );
  await s.db.query(`INSERT INTO reports (id, name, data_owner_id) VALUES (40, 'Unreachable', $1)`, [
    owner.rows[0]!.id,
  ]);
  for (const [cycleId, reportIds] of [
    [901, [1, 2]],
    [902, [1, 40]], // fails in Request for Information: never reaches the swapped activities
  ] as const) {
    await runCycle(s.ops, cycleId, reportIds);
  }
  reordered = await buildReorderedBundle();
});

afterAll(async () => {
  await s?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('replay check before a worker upgrade', () => {
  it('the bundle the worker runs replays every cycle', async () => {
    const report = await s.ops.router.invoke('worker.replayCheck', { last: 10 });
    expect(report.passed).toBe(true);
    expect(report.results.map((r) => [r.workflowId, r.outcome]).sort()).toEqual([
      ['test-cycle-901', 'replays'],
      ['test-cycle-902', 'replays'],
    ]);
  });

  it('a bundle with an activity order changed reports nondeterminism at the right event', async () => {
    const report = await s.ops.router.invoke('worker.replayCheck', { bundlePath: reordered, last: 10 });
    expect(report.passed).toBe(false);
    const byId = Object.fromEntries(report.results.map((r) => [r.workflowId, r]));
    expect(byId['test-cycle-902']!.outcome).toBe('replays');
    const broken = byId['test-cycle-901']!;
    expect(broken.outcome).toBe('nondeterminism');
    const history = await (await s.ops.cycles.client()).workflow.getHandle('test-cycle-901').fetchHistory();
    const scheduled = historyEventViews(history.events ?? []).find(
      (e) => e.type === 'ActivityTaskScheduled' && e.summary === 'finalizeReport',
    )!;
    expect(broken.firstMismatch).toEqual({
      eventId: scheduled.id,
      eventType: 'ActivityTaskScheduled',
      detail: 'finalizeReport',
    });
  });

  it('the CLI prints the same verdict and exits non-zero for a failing bundle', async () => {
    const run = (...args: string[]) =>
      exec(process.execPath, ['dist/cli.mjs', '--home', s.home, 'worker', 'replay-check', ...args], {
        cwd: root,
        env: { ...process.env, OPS_CONSOLE_HOME: s.home },
      }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const failing = await run('--bundle', reordered, '--last', '5');
    expect(failing.code).toBe(3);
    expect(failing.stdout).toMatch(/NOT SAFE to roll out/);
    expect(failing.stdout).toMatch(
      /test-cycle-901 +completed +nondeterminism at event \d+ \(ActivityTaskScheduled finalizeReport\)/,
    );
    const missing = await run('--bundle', path.join(scratch, 'nope.js'));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/There is no workflow bundle/);

    // The saga's other commands refuse in plain words what does not apply, and change nothing.
    const cli = (...args: string[]) =>
      exec(process.execPath, ['dist/cli.mjs', '--home', s.home, ...args], {
        cwd: root,
        env: { ...process.env, OPS_CONSOLE_HOME: s.home },
      }).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
    const resolve = await cli('compensation', 'resolve', 'test-cycle-902', 'planning', '--note', 'by hand');
    expect(resolve.code).not.toBe(0);
    expect(resolve.stderr).toMatch(/has no failed compensation for planning/);
    const decide = await cli('cycle', 'decide', 'test-cycle-901', 'sideways', '--by', 'qa');
    expect(decide.code).not.toBe(0);
    expect(decide.stderr).toMatch(/retry.*skip.*abandon/);
  });

  it('a failing bundle is not rolled out without the typed override', async () => {
    const refused = await s.ops.router.call('worker.rollOut', { bundlePath: reordered });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('CONFLICT');
      expect(refused.error.hint).toContain(ROLL_OUT_OVERRIDE);
    }
    const wrong = await s.ops.router.call('worker.rollOut', { bundlePath: reordered, override: 'yes' });
    expect(wrong.ok).toBe(false);
    expect(fs.existsSync(path.join(s.home, 'worker-bundle.json'))).toBe(false);

    // A bundle that passes is rolled out: the worker restarts on a copy of its own.
    const current = path.join(root, 'dist/worker/workflow-bundle.js');
    const rolled = await s.ops.router.invoke('worker.rollOut', { bundlePath: current });
    expect(rolled.overridden).toBe(false);
    expect(fs.readFileSync(rolled.bundle, 'utf8')).toBe(fs.readFileSync(current, 'utf8'));
    expect(s.ops.worker.current().state).toMatch(/running|starting/);
  });
});
