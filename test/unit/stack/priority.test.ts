// The services' priority below the console's: what the settings ask, a running process tree lowered thread by
// thread, a started process lowered, the share of a service's own session lowered and kept up with as processes
// start (the Docker plan's CPU share is in docker-containers.test.ts). Real processes, read back from /proc.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../main/settings/defaults';
import {
  SERVICE_NICENESS,
  SESSION_NICENESS,
  ServiceYield,
  lowerPriority,
  lowerSessionPriority,
  consoleTcpPorts,
  servicesNiceness,
  parseAutogroup,
  DEFAULT_AUTOGROUP,
} from '../../../main/stack/priority';
import { niceOf, sessionSharesRefusal } from '../../support/session-shares';

/** A process's session share: its autogroup and that group's nice. */
function sessionOf(pid: number | 'self'): { group: string; nice: number } {
  const text = fs.readFileSync(`/proc/${pid}/autogroup`, 'utf8').trim();
  if (text === '') return { group: '(default)', nice: 0 }; // the group of processes that never started a session
  const [group, , nice] = text.split(' ');
  return { group: group!, nice: Number(nice) };
}
/** Processes started by `root`, found in /proc. */
function childrenOf(root: number): number[] {
  return fs
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
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
      const tree = (root: number): number[] => [root, ...childrenOf(root).flatMap(tree)];
      const threads = (pid: number) => fs.readdirSync(`/proc/${pid}/task`).map(Number);
      expect(tree(shell.pid!).length).toBe(2);
      expect(threads(node.pid!).length).toBeGreaterThan(1);
      const yielding = new ServiceYield(() => [shell.pid, node.pid], SERVICE_NICENESS);
      expect(yielding.sweep()).toBe(3);
      yielding.stop();
      for (const pid of [...tree(shell.pid!), node.pid!])
        for (const tid of threads(pid)) expect(niceOf(tid), `${pid}/${tid}`).toBe(SERVICE_NICENESS);
      // Already lower stays lower.
      lowerPriority(node.pid, 5);
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

  it("lowers the share of a service's own session, never the console's; says so when the machine refuses", async () => {
    // This kernel shares the CPU by session (autogroups): the machines this runs on have them on. Some sandboxes
    // refuse to change a session's share: then the refusal is reported, never taken for done.
    expect(fs.existsSync('/proc/self/autogroup')).toBe(true);
    const refusal = await sessionSharesRefusal();
    const own = sessionOf('self');
    const service = spawn('/bin/sleep', ['30'], { detached: true }); // a session of its own, as the services run
    const helper = spawn('/bin/sleep', ['30']); // in the console's session
    try {
      await pause(100);
      expect(sessionOf(service.pid!)).toMatchObject({ nice: 0 });
      expect(sessionOf(service.pid!).group).not.toBe(own.group);
      const outcome = lowerSessionPriority(service.pid!, SERVICE_NICENESS);
      if (refusal === undefined) {
        expect(outcome).toBe('done');
        // Milder than the threads': a session's share counts against every other session on the machine.
        expect(sessionOf(service.pid!).nice).toBe(SESSION_NICENESS);
      } else {
        console.warn(`This machine refuses to change a session's CPU share: ${refusal}`);
        expect(outcome).toEqual({ refused: expect.stringMatching(/^the kernel (refused|kept)/) });
        expect(sessionOf(service.pid!).nice).toBe(0);
      }
      expect(SESSION_NICENESS).toBeLessThan(SERVICE_NICENESS);
      expect(lowerSessionPriority(helper.pid!, SERVICE_NICENESS)).toBe('done');
      expect(sessionOf(helper.pid!)).toEqual(own);
      expect(sessionOf('self')).toEqual(own);
    } finally {
      service.kill();
      helper.kill();
    }
  });

  it("lowers a service's share when the console runs in the default session, the one the kernel shows no name for", async () => {
    // A console started by init, a service manager or a CI runner, none of which starts a session, shares the
    // default group: its autogroup file is empty. The services' sessions are still not its own.
    expect(parseAutogroup('')).toEqual({ group: DEFAULT_AUTOGROUP, nice: 0 });
    expect(parseAutogroup('/autogroup-42 nice 5\n')).toEqual({ group: '/autogroup-42', nice: 5 });
    expect(parseAutogroup('something else')).toBeUndefined();
    const refusal = await sessionSharesRefusal();
    const service = spawn('/bin/sleep', ['30'], { detached: true });
    try {
      await pause(100);
      expect(sessionOf(service.pid!).nice).toBe(0);
      const outcome = lowerSessionPriority(service.pid!, SERVICE_NICENESS, DEFAULT_AUTOGROUP);
      if (refusal === undefined) {
        expect(outcome).toBe('done');
        expect(sessionOf(service.pid!).nice).toBe(SESSION_NICENESS);
      } else {
        expect(outcome).toEqual({ refused: expect.stringMatching(/^the kernel (refused|kept)/) });
        expect(sessionOf(service.pid!).nice).toBe(0);
      }
    } finally {
      service.kill();
    }
  });

  it("keeps up with a service's new processes and sessions, sparing those serving the console and what it runs", async () => {
    const server = net.createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port: serverPort } = server.address() as net.AddressInfo;
    // The console's own connection, one of a program it runs (a backup's pg_dump, at its priority) and one of a
    // program that yields (the worker, below it): each a TCP client of the server above.
    const socket = net.connect(serverPort, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const client = () =>
      spawn(process.execPath, [
        '-e',
        `const s = require('net').connect(${serverPort}, '127.0.0.1', () => console.log(s.localPort)); setTimeout(() => {}, 30000)`,
      ]);
    const program = client();
    const worker = client();
    lowerPriority(worker.pid, SERVICE_NICENESS);
    const portOf = (child: ReturnType<typeof spawn>) =>
      new Promise<number>((r) => child.stdout!.once('data', (d: Buffer) => r(Number(String(d).trim()))));
    const ports = {
      console: socket.localPort!,
      program: await portOf(program),
      worker: await portOf(worker),
    };
    const ours = consoleTcpPorts();
    expect([ours.has(ports.console), ours.has(ports.program), ours.has(ports.worker)]).toEqual([
      true,
      true,
      false,
    ]);
    // A service that, like a Postgres server, starts a process in a session of its own per connection, titled
    // with its client's address: one for each connection above.
    const backend = (port: number) =>
      `setsid bash -c 'exec -a "postgres: ops db 127.0.0.1(${port}) idle" sleep 30' &`;
    const service = spawn(
      '/bin/bash',
      ['-c', `sleep 0.5; ${Object.values(ports).map(backend).join(' ')} wait`],
      { detached: true },
    );
    const refusal = await sessionSharesRefusal();
    const refusals: string[] = [];
    const yielding = new ServiceYield(
      () => [service.pid],
      SERVICE_NICENESS,
      (why) => refusals.push(why),
    );
    // Where the machine refuses to change a session's share, the threads yield all the same, and the refusal is
    // told once.
    const lowered = refusal === undefined ? SESSION_NICENESS : 0;
    try {
      yielding.start();
      expect(sessionOf(service.pid!).nice).toBe(lowered);
      expect(niceOf(service.pid!)).toBe(SERVICE_NICENESS);
      const backends = () =>
        childrenOf(service.pid!).filter((pid) =>
          fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('postgres:'),
        );
      expect(backends()).toEqual([]);
      await pause(1000); // the three "backends" started meanwhile, each in a session of its own
      const started = backends();
      expect(started).toHaveLength(3);
      expect(yielding.sweep()).toBe(3);
      const serving = (port: number) =>
        started.find((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`(${port})`))!;
      expect(sessionOf(serving(ports.worker)).nice).toBe(lowered);
      expect(niceOf(serving(ports.worker))).toBe(SERVICE_NICENESS);
      for (const spared of [ports.console, ports.program]) {
        expect(sessionOf(serving(spared)).nice).toBe(0);
        expect(sessionOf(serving(spared)).group).not.toBe(sessionOf('self').group);
      }
      // Nothing new: nothing done.
      expect(yielding.sweep()).toBe(0);
      expect(refusals).toHaveLength(refusal === undefined ? 0 : 1);
      expect(yielding.refused).toBe(refusals[0]);
    } finally {
      yielding.stop();
      process.kill(-service.pid!);
      for (const child of [program, worker]) child.kill();
      socket.destroy();
      server.close();
    }
    expect(sessionOf('self').nice).toBe(0);
  });
});
