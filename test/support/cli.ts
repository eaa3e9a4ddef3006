// The built CLI (dist/cli.mjs) as the tests run it: a separate process on a console home.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { waitFor } from './cycle-stack';

const exec = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One command; resolves with its exit code and output whether it succeeds or not. */
export function runCli(home: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return exec(process.execPath, ['dist/cli.mjs', '--home', home, ...args], {
    env: { ...process.env, OPS_CONSOLE_HOME: home, ...env },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );
}

/** A long-running command (e.g. `worker start`) in the background, its stdout and stderr gathered as they come. */
export function spawnCli(home: string, args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['dist/cli.mjs', '--home', home, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OPS_CONSOLE_HOME: home },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

/** Resolves once the process has exited: at once when its exit was already seen (that event fires only once). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** `worker start` in the background until it says the worker runs; `adopt` gets the child first (to stop it). */
export async function startWorkerProcess(home: string, adopt: (child: ChildProcess) => void): Promise<void> {
  const worker = spawnCli(home, ['worker', 'start']);
  adopt(worker.child);
  await waitFor(
    () => /worker running/.test(worker.output()),
    60_000,
    `the worker to start:\n${worker.output()}`,
  );
}
