// The worker and cycles from the headless CLI, across separate processes, on the real embedded stack.
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startWorkerProcess } from '../../support/cli';
import { scratchHome } from '../../support/console-process';
import { freeStackSettings } from '../../support/stack-settings';
import { waitFor } from '../../support/cycle-stack';

let home: string;
let supervisor: ChildProcess | undefined;

const cli = (...args: string[]) => runCli(home, args);

afterAll(async () => {
  if (supervisor?.exitCode === null) supervisor.kill('SIGTERM');
  await cli('stack', 'down');
});

describe('worker and cycles from the CLI', () => {
  it('runs a cycle to completion with `worker start`, `cycle start` and `cycle progress`, then drains the worker', async () => {
    home = scratchHome(await freeStackSettings());
    expect((await cli('stack', 'up')).code).toBe(0);
    const demo = await cli('demo-data', '--reports', '2');
    expect(JSON.parse(demo.stdout)).toMatchObject({ reportIds: [1, 2] });

    await startWorkerProcess(home, (child) => (supervisor = child));

    const again = await cli('worker', 'start');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already runs/);

    const status = JSON.parse((await cli('worker', 'status', '--json')).stdout) as {
      running: boolean;
      pollers: number;
    };
    expect(status.running).toBe(true);
    expect(status.pollers).toBeGreaterThanOrEqual(1);

    const started = await cli('cycle', 'start', '--cycle', '7', '--reports', '1,2', '--auto-approve');
    expect(started.code, started.stderr).toBe(0);
    const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
    let progress = { status: '', phases: [] as Array<{ state: string }> };
    await waitFor(
      async () => {
        progress = JSON.parse(
          (await cli('cycle', 'progress', workflowId, '--json')).stdout,
        ) as typeof progress;
        return progress.status === 'completed';
      },
      60_000,
      'the cycle to complete',
    );
    expect(progress.phases.map((p) => p.state)).toEqual(Array(8).fill('completed'));

    const stop = await cli('worker', 'stop');
    expect(stop.stdout).toContain('worker stopped');
    await waitFor(() => supervisor!.exitCode !== null, 30_000, 'the supervisor to exit');
    expect(supervisor!.exitCode).toBe(0);
  });

  it('refuses bad input with a clear error and starts nothing', async () => {
    const bad = await cli('cycle', 'start', '--cycle', 'x', '--reports', '1');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--cycle must be positive whole numbers/);
    const phase = await cli('cycle', 'start', '--cycle', '8', '--reports', '1', '--skip', 'lunch');
    expect(phase.code).toBe(2);
    expect(phase.stderr).toMatch(/Unknown phase lunch/);
    const payload = await cli('cycle', 'signal', 'test-cycle-7', 'approveScope', '--payload', '{nope');
    expect(payload.code).toBe(2);
    expect(payload.stderr).toMatch(/not valid JSON/);
  });
});
