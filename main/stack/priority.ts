// The stack's services can yield the CPU to the console: once running, the embedded clusters, Temporal, its Web UI
// and the worker run a few steps below normal priority (the Docker provider's containers get a smaller CPU share).
// On a machine the stack saturates, the console and its windows then get the CPU as soon as they need it, so the
// views stay live; on a machine with room to spare nothing changes, since priority only orders work that waits.
import fs from 'node:fs';
import os from 'node:os';
import type { Settings } from '../api';
import { procStatFields } from './proc-stat';

/** How far below normal the services run when they yield (nice: 0 is normal, 19 the lowest). */
export const SERVICE_NICENESS = 10;
/** The containers' CPU share when they yield (Docker's default is 1024). */
export const SERVICE_CPU_SHARES = 512;

/** The niceness the settings ask of the services: 0 when they run at normal priority. */
export function servicesNiceness(settings: Settings): number {
  return settings.stack.servicesYield ? SERVICE_NICENESS : 0;
}

/**
 * Lowers one process or thread to `niceness` (never raises it: one already lower stays); the threads and processes it
 * starts later inherit it. A refusal leaves it as it is.
 */
export function lowerPriority(pid: number | undefined, niceness: number): void {
  if (!pid || !niceness) return;
  try {
    if (os.getPriority(pid) < niceness) os.setPriority(pid, niceness);
  } catch {
    // gone, or not ours to change: it keeps its priority
  }
}

/**
 * Lowers a running service: its process, every process it started, and every thread of each (Linux keeps a
 * priority per thread, and a Go server runs many). What they start afterwards inherits it.
 */
export function lowerProcessTree(root: number | undefined, niceness: number): void {
  if (!root || !niceness) return;
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(procStatFields(stat)[1]);
      const siblings = children.get(ppid);
      if (siblings) siblings.push(Number(entry));
      else children.set(ppid, [Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    let threads: string[];
    try {
      threads = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // gone meanwhile
    }
    for (const tid of threads) lowerPriority(Number(tid), niceness);
    queue.push(...(children.get(pid) ?? []));
  }
}
