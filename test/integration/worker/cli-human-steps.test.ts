// The human steps from the headless CLI, in separate processes on the real embedded stack: a step the cycle does
// not wait for exits non-zero with the console's message; the right step in the right phase is accepted.
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startWorkerProcess } from '../../support/cli';
import { scratchHome } from '../../support/console-process';
import { freeStackSettings } from '../../support/stack-settings';
import { waitFor } from '../../support/cycle-stack';

let home: string;
let supervisor: ChildProcess | undefined;

const cli = (...args: string[]) => runCli(home, args);

const waitingFor = async (workflowId: string, step: string) =>
  waitFor(
    async () =>
      (JSON.parse((await cli('cycle', 'waiting', workflowId)).stdout || '{}') as { waitingFor?: string })
        .waitingFor === step,
    60_000,
    `${workflowId} to wait for ${step}`,
  );

afterAll(async () => {
  if (supervisor?.exitCode === null) supervisor.kill('SIGTERM');
  await cli('stack', 'down');
});

describe('human steps from the CLI', () => {
  it('refuses out-of-order steps with a non-zero exit and the same message, and takes the right ones', async () => {
    home = scratchHome(await freeStackSettings());
    expect((await cli('stack', 'up')).code).toBe(0);
    expect((await cli('demo-data', '--reports', '1')).code).toBe(0);
    await startWorkerProcess(home, (child) => (supervisor = child));

    const started = await cli('cycle', 'start', '--cycle', '9', '--reports', '1');
    const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
    await waitingFor(workflowId, 'scope_approval');

    const message =
      'This cycle is waiting for its scope approval; test results are accepted in Test Execution.';
    // Refused by the workflow's validator (ids given) and by the CLI itself (--all reads what is open): same words.
    const byWorkflow = await cli(
      'cycle',
      'record-results',
      workflowId,
      '--by',
      'tester',
      '--results',
      '1=pass',
    );
    expect(byWorkflow.code).toBe(1);
    expect(byWorkflow.stderr).toContain(`error CONFLICT: ${message}`);
    const byCli = await cli('cycle', 'record-results', workflowId, '--by', 'tester', '--all', 'pass');
    expect(byCli.code).toBe(1);
    expect(byCli.stderr).toContain(`error CONFLICT: ${message}`);
    const rfi = await cli('cycle', 'answer-rfi', workflowId, '--by', 'qa', '--all-open', '--answer', 'x');
    expect(rfi.code).toBe(1);
    expect(rfi.stderr).toContain(
      'error CONFLICT: This cycle is waiting for its scope approval; RFI answers are accepted in Request for Information.',
    );

    const approved = await cli('cycle', 'approve-scope', workflowId, '--by', 'qa-lead');
    expect(approved.code, approved.stderr).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({
      changed: 'scope approved by qa-lead',
      complete: true,
    });
    const again = await cli('cycle', 'approve-scope', workflowId, '--by', 'qa-lead');
    expect(again.code).toBe(1);

    await waitingFor(workflowId, 'rfi_responses');
    const answered = await cli(
      'cycle',
      'answer-rfi',
      workflowId,
      '--by',
      'qa',
      '--all-open',
      '--answer',
      'ok',
    );
    expect(answered.code, answered.stderr).toBe(0);
    expect(JSON.parse(answered.stdout)).toMatchObject({
      changed: 'RFI answer recorded for report 1',
      remaining: [],
    });
    await waitingFor(workflowId, 'test_results');
    const judged = await cli('cycle', 'record-results', workflowId, '--by', 'tester', '--all', 'pass');
    expect(judged.code, judged.stderr).toBe(0);
    expect(JSON.parse(judged.stdout)).toMatchObject({
      changed: '25 results recorded (25 pass, 0 fail)',
      complete: true,
    });

    expect((await cli('worker', 'stop')).code).toBe(0);
    await waitFor(() => supervisor!.exitCode !== null, 30_000, 'the supervisor to exit');
  });
});
