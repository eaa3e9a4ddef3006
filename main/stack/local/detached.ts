// A long-running service started in its own session with its output in a log file and its pid in a file,
// so a console started later (or the CLI's `stack down`) can find and stop it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from './process';

export class DetachedService {
  readonly pidFile: string;
  readonly logFile: string;

  constructor(
    readonly name: string,
    readonly dir: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv = {},
  ) {
    this.pidFile = path.join(dir, `${name}.pid`);
    this.logFile = path.join(dir, `${name}.log`);
  }

  pid(): number | undefined {
    try {
      const pid = Number(fs.readFileSync(this.pidFile, 'utf8').trim());
      if (!isAlive(pid)) return undefined;
      // Guard against a recycled pid: the process must still be our binary.
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return cmdline.includes(path.basename(this.command)) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  start(): number {
    const running = this.pid();
    if (running) return running;
    fs.mkdirSync(this.dir, { recursive: true });
    const out = fs.openSync(this.logFile, 'a');
    const child = spawn(this.command, this.args, {
      cwd: this.dir,
      env: { PATH: process.env.PATH, LANG: 'C.UTF-8', ...this.env },
      detached: true,
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    child.unref();
    if (!child.pid) throw new Error(`${this.name} did not start`);
    fs.writeFileSync(this.pidFile, String(child.pid));
    return child.pid;
  }

  /** SIGTERM, then SIGKILL after the grace period. */
  async stop(graceMs = 20_000): Promise<void> {
    const pid = this.pid();
    if (!pid) {
      fs.rmSync(this.pidFile, { force: true });
      return;
    }
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (isAlive(pid) && Date.now() < deadline) await sleep(50);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(20);
    fs.rmSync(this.pidFile, { force: true });
  }
}
