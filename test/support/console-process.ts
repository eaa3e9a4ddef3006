// Starts the built console (`dist/cli.mjs serve|up`) as a child process in a scratch data folder.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ConsoleProcess {
  url: string;
  home: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

const homes = new Set<string>();

/**
 * Removes the scratch homes this test file made (test/setup.ts runs it after each file): a stack's data folders
 * take hundreds of MB each, and a full run makes dozens. Whatever still runs from a home (a stack a failed test
 * left behind) is stopped first.
 */
export function removeScratchHomes(): void {
  for (const home of homes) {
    spawnSync('pkill', ['-f', home]);
    fs.rmSync(home, { recursive: true, force: true, maxRetries: 3 });
    homes.delete(home);
  }
}

export function scratchHome(settings?: object): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-console-test-'));
  homes.add(home);
  fs.chmodSync(home, 0o755);
  if (settings) fs.writeFileSync(path.join(home, 'settings.json'), JSON.stringify(settings));
  return home;
}

export async function startConsole(
  command: 'serve' | 'up',
  home: string,
  timeoutMs = 60_000,
): Promise<ConsoleProcess> {
  const child = spawn(process.execPath, ['dist/cli.mjs', '--home', home, command, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OPS_CONSOLE_HOME: home },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the console printed no URL:\n${out}`)), timeoutMs);
    const check = () => {
      const match = /serving at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => reject(new Error(`the console exited (${code}):\n${out}`)));
  });
  return {
    url,
    home,
    child,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
