// A console that dies (SIGKILL: no handler runs) leaves the stack running. The next `up` finds it, says what it
// found and adopts it (stops it with itself); `stack down` from the CLI stops such orphans without a console.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { scratchHome, startConsole, type ConsoleProcess } from '../../support/console-process';
import { freeStackSettings } from '../../support/stack-settings';
import { waitFor } from '../../support/cycle-stack';

const started: ConsoleProcess[] = [];
afterAll(async () => {
  // The killed ones are gone already (their exit code stays null after a signal).
  for (const c of started) if (c.child.signalCode === null) await c.stop();
});

/** Running, not a zombie (an orphan's parent here may be an init that does not reap it at once). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) [ZX]/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

function statusOf(home: string): {
  state: string;
  services: Array<{ id: string; state: string; pid?: number }>;
} {
  const out = spawnSync(process.execPath, ['dist/cli.mjs', '--home', home, 'stack', 'status', '--json'], {
    encoding: 'utf8',
  });
  return JSON.parse(out.stdout) as ReturnType<typeof statusOf>;
}

describe('a console that dies', () => {
  it('leaves a stack the next `up` finds, names and adopts; `stack down` stops orphans', async () => {
    const home = scratchHome({ ...(await freeStackSettings()), worker: { enabled: false } });
    const first = await startConsole('up', home);
    started.push(first);
    await waitFor(
      () => first.output().includes('The embedded stack is running.'),
      120_000,
      'the stack to run',
    );
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const orphans = statusOf(home).services.filter((s) => s.state === 'running');
    expect(orphans.map((s) => s.id).sort()).toEqual(['app-postgres', 'temporal', 'temporal-postgres']);

    const second = await startConsole('up', home);
    started.push(second);
    await waitFor(
      () => second.output().includes('The embedded stack is running.'),
      120_000,
      'the stack to run',
    );
    expect(second.output()).toContain('Found the stack already running');
    for (const s of orphans) expect(second.output()).toContain(`pid ${s.pid}`);
    expect(second.output()).toContain('This console adopts it');
    // Adopted: stopping this console stops them.
    await second.stop();
    for (const s of orphans) expect(alive(s.pid!), s.id).toBe(false);

    // Orphans again, and `stack down` with no console stops them.
    const third = await startConsole('up', home);
    started.push(third);
    await waitFor(
      () => third.output().includes('The embedded stack is running.'),
      120_000,
      'the stack to run',
    );
    third.child.kill('SIGKILL');
    await new Promise((resolve) => third.child.once('exit', resolve));
    const left = statusOf(home).services.filter((s) => s.state === 'running');
    expect(left.length).toBe(3);
    const down = spawnSync(process.execPath, ['dist/cli.mjs', '--home', home, 'stack', 'down'], {
      encoding: 'utf8',
    });
    expect(down.status).toBe(0);
    for (const s of left) expect(alive(s.pid!), s.id).toBe(false);
  });
});
