// Runs a short-lived command (initdb, pg_ctl, temporal-sql-tool) and returns its output, or a clear error.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { OpsError } from '../../api';
import type { RunAs } from './run-as';
import { procStatFields } from '../proc-stat';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  runAs?: RunAs;
  cwd?: string;
  /** A new session, so the process outlives the console and a Ctrl+C to the console does not reach it. */
  detached?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export async function run(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { PATH: process.env.PATH, LANG: 'C.UTF-8', ...options.env },
      uid: options.runAs?.uid,
      gid: options.runAs?.gid,
      cwd: options.cwd ?? '/',
      detached: options.detached ?? false,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    const onAbort = () => child.kill('SIGTERM');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(
        new OpsError(
          'STACK_FAILED',
          `Could not run ${command}: ${err.message}`,
          'Check that the binary exists and is executable.',
        ),
      );
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (code === 0) return resolve(output);
      const name = command.split('/').pop();
      reject(
        new OpsError(
          'STACK_FAILED',
          `${name} ${args[0] ?? ''} failed (${sig ?? `exit ${code}`}): ${output.trim().split('\n').slice(-6).join(' | ')}`,
          'See the service log; fix what it names, then start again.',
        ),
      );
    });
  });
}

/** Whether a process runs; a zombie (exited, not yet reaped by its parent) counts as gone. */
export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return procStatFields(stat)[0] !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}
