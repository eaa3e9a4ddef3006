// The services' priority below the console's: what the settings ask, a running process tree lowered thread by
// thread, a started process lowered (the Docker plan's CPU share is in docker-containers.test.ts). Real processes,
// read back from /proc.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../main/settings/defaults';
import {
  SERVICE_NICENESS,
  lowerPriority,
  servicesNiceness,
  lowerProcessTree,
} from '../../../main/stack/priority';

function niceOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

describe('the services yield the CPU to the console', () => {
  it('is what the settings ask for by default, and can be turned off', () => {
    expect(DEFAULT_SETTINGS.stack.servicesYield).toBe(true);
    expect(servicesNiceness(DEFAULT_SETTINGS)).toBe(SERVICE_NICENESS);
    const off = { ...DEFAULT_SETTINGS, stack: { ...DEFAULT_SETTINGS.stack, servicesYield: false } };
    expect(servicesNiceness(off)).toBe(0);
  });

  it('lowers a running process tree: the process, the ones it started and every thread of each', async () => {
    // A shell that starts a child, and a Node process with its own threads: both read back from /proc.
    const shell = spawn('/bin/sh', ['-c', 'sleep 30 & wait'], { detached: true });
    const node = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await new Promise((r) => setTimeout(r, 300)); // the child started, the threads running
      const tree = (root: number): number[] => {
        const kids = fs
          .readdirSync('/proc')
          .filter((d) => /^\d+$/.test(d))
          .filter((d) => {
            try {
              const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
              return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === root;
            } catch {
              return false;
            }
          })
          .map(Number);
        return [root, ...kids.flatMap(tree)];
      };
      const threads = (pid: number) => fs.readdirSync(`/proc/${pid}/task`).map(Number);
      expect(tree(shell.pid!).length).toBe(2);
      expect(threads(node.pid!).length).toBeGreaterThan(1);
      lowerProcessTree(shell.pid, SERVICE_NICENESS);
      lowerProcessTree(node.pid, SERVICE_NICENESS);
      for (const pid of [...tree(shell.pid!), node.pid!])
        for (const tid of threads(pid)) expect(niceOf(tid), `${pid}/${tid}`).toBe(SERVICE_NICENESS);
      // Already lower stays lower; nothing for a pid that is gone.
      lowerProcessTree(node.pid, 5);
      expect(niceOf(node.pid!)).toBe(SERVICE_NICENESS);
    } finally {
      process.kill(-shell.pid!); // the shell and its sleep
      node.kill();
    }
  });

  it('lowers a started process, and leaves a gone one alone', async () => {
    const child = spawn('/bin/sleep', ['30']);
    try {
      expect(niceOf(child.pid!)).toBe(0);
      lowerPriority(child.pid, SERVICE_NICENESS);
      expect(niceOf(child.pid!)).toBe(SERVICE_NICENESS);
    } finally {
      child.kill();
    }
    await new Promise((r) => child.once('exit', r));
    expect(() => lowerPriority(child.pid, SERVICE_NICENESS)).not.toThrow();
  });
});
