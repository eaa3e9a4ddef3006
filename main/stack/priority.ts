// The stack's services can yield the CPU to the console: once running, the embedded clusters, Temporal, its Web UI
// and the worker run a few steps below normal priority, and so do their sessions' shares where the kernel shares
// the CPU by session (autogroups); the Docker provider's containers get a smaller CPU share.
// On a machine the stack saturates, the console and its windows then get the CPU as soon as they need it, so the
// views stay live; on a machine with room to spare nothing changes, since priority only orders work that waits.
import fs from 'node:fs';
import os from 'node:os';
import type { Settings } from '../api';
import { procStatFields } from './proc-stat';

/** How far below normal the services run when they yield (nice: 0 is normal, 19 the lowest). */
export const SERVICE_NICENESS = 10;
/**
 * How far below normal a service's session share goes when it yields: less than its threads, because a session's
 * share counts against every other session on the machine, not only the console's. At 10 (a tenth of a normal
 * share), two busy loops elsewhere starved the stack until its cycles stood still for minutes; at 5 (a third) a
 * service keeps a part of a contended CPU, and the console and its windows come first. The settings turn it off.
 */
export const SESSION_NICENESS = 5;
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
 * Every process now running, as children by parent pid. `parents` (pid → parent pid) is kept between calls when
 * given: only the processes started since are read, so a look every few seconds costs little.
 */
function processTree(parents = new Map<number, number>()): Map<number, number[]> {
  const running = new Set<number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    running.add(pid);
    if (parents.has(pid)) continue;
    try {
      parents.set(pid, Number(procStatFields(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))[1]));
    } catch {
      running.delete(pid); // gone meanwhile
    }
  }
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) {
    if (!running.has(pid)) {
      parents.delete(pid);
      continue;
    }
    const siblings = children.get(ppid);
    if (siblings) siblings.push(pid);
    else children.set(ppid, [pid]);
  }
  return children;
}

/** `roots` and every process they started, parents first. */
function descendants(roots: number[], children: Map<number, number[]>): number[] {
  const out: number[] = [];
  const queue = [...roots];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Lowers every thread of a process (Linux keeps a priority per thread; a Go server or Node runs many). */
export function lowerProcess(pid: number | undefined, niceness: number): void {
  if (!pid || !niceness) return;
  let threads: string[];
  try {
    threads = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return; // gone meanwhile
  }
  for (const tid of threads) lowerPriority(Number(tid), niceness);
}

/**
 * The session every process shares that never started one of its own (init's, and what a service manager or a CI
 * runner starts without a session): the kernel shows no name for it, and its share is fixed at nice 0.
 */
export const DEFAULT_AUTOGROUP = '';

/** An autogroup file's text: the group and its share's nice; empty for the default group; undefined if unknown. */
export function parseAutogroup(text: string): { group: string; nice: number } | undefined {
  if (text.trim() === '') return { group: DEFAULT_AUTOGROUP, nice: 0 };
  const m = /^(\S+) nice (-?\d+)/.exec(text);
  return m ? { group: m[1]!, nice: Number(m[2]) } : undefined;
}

/** A process's autogroup (the kernel's CPU share of its session) and that share's nice; undefined without one. */
function autogroupOf(pid: number | 'self'): { group: string; nice: number } | undefined {
  try {
    return parseAutogroup(fs.readFileSync(`/proc/${pid}/autogroup`, 'utf8'));
  } catch {
    return undefined; // a kernel without autogroups, or the process is gone
  }
}

/**
 * Lowers the CPU share of a process's session (to SESSION_NICENESS at most), never the console's own session. With
 * the kernel's autogroups on (the default of most desktop Linux distributions) the CPU is shared between sessions
 * first, and a nice value only orders the threads within one session: a service in a session of its own (each
 * embedded server, and every Postgres backend, which starts one) would otherwise take as much CPU as the console
 * and its windows, however low its threads' priority. 'later' when the kernel asks to wait: an unprivileged user
 * may change one session's share per tenth of a second. 'refused', with the kernel's reason, when the share cannot
 * be changed on this machine (a sandbox that refuses the write, or keeps the share as it was): the change is read
 * back, so a refusal is never taken for done.
 */
export function lowerSessionPriority(
  pid: number,
  threadNiceness: number,
  ownSession = autogroupOf('self')?.group,
): 'done' | 'later' | { refused: string } {
  const niceness = Math.min(threadNiceness, SESSION_NICENESS);
  const theirs = autogroupOf(pid);
  if (ownSession === undefined || !theirs || theirs.group === ownSession || theirs.nice >= niceness)
    return 'done';
  try {
    fs.writeFileSync(`/proc/${pid}/autogroup`, String(niceness));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN') return 'later';
    if (code === 'ESRCH' || code === 'ENOENT') return 'done'; // gone meanwhile
    return { refused: `the kernel refused the write (${code ?? String(err)})` };
  }
  const after = autogroupOf(pid);
  if (after && after.group === theirs.group && after.nice !== niceness)
    return { refused: `the kernel kept the session's share at nice ${after.nice}` };
  return 'done';
}

/**
 * Lowers one service process of this machine below the console, its threads and its session's share, as a sweep of
 * a running stack does (ServiceYield): for a process that works during a start, before the sweeps begin. Only a
 * PostgreSQL backend serving a client is touched (the pid comes from the server itself); a refusal or a wait leaves
 * it as it is.
 */
export function lowerPostgresBackend(pid: number, niceness: number): void {
  if (!niceness || backendClientPort(pid) === undefined) return; // gone, not on this machine, or not a backend
  lowerProcess(pid, niceness);
  lowerSessionPriority(pid, niceness);
}

/**
 * The local ports of the TCP connections of the console and of the programs it runs at its own priority (a
 * backup's pg_dump, a restore's pg_restore; not the worker, which runs below it), from /proc: their socket
 * descriptors and the TCP tables.
 */
export function consoleTcpPorts(children: Map<number, number[]> = processTree()): Set<number> {
  const own = os.getPriority();
  const inodes = new Set<string>();
  for (const pid of descendants([process.pid], children)) {
    let fds: string[];
    try {
      if (pid !== process.pid && os.getPriority(pid) > own) continue;
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]!);
      } catch {
        // closed meanwhile
      }
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && inodes.has(f[9]!)) ports.add(parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

/** The client port a Postgres backend serves, from its process title ("postgres: user db 127.0.0.1(40312) idle"). */
function backendClientPort(pid: number): number | undefined {
  try {
    const title = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const m = /^postgres: .*\((\d+)\)/.exec(title);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** How often a running stack is looked over for processes started since the last look. */
export const YIELD_SWEEP_MS = 2_000;
/** The kernel's wait between two changes of a session's share by an unprivileged user, with a margin. */
const SESSION_GAP_MS = 110;

/**
 * Keeps a running stack's services below the console: every few seconds, the processes started since the last look
 * (a Postgres cluster starts one per connection, each in a session of its own) get their threads and their session
 * lowered, except the backends serving the console's own connections (its reads and its progress listener, which
 * the views wait on) and those of the programs it runs at its own priority (a backup's pg_dump). Sessions the
 * kernel asked to wait for are lowered one by one, a tenth of a second apart.
 */
export class ServiceYield {
  private readonly seen = new Set<number>();
  private readonly parents = new Map<number, number>();
  private waiting: number[] = [];
  private sweeper: NodeJS.Timeout | undefined;
  private pacer: NodeJS.Timeout | undefined;
  /**
   * Why this machine does not let the console change a session's share, once it has refused: the sweeps stop
   * trying (the services' threads still yield). Undefined while every change took.
   */
  refused: string | undefined;
  /** The console's own session, never lowered (it stays the same for the console's life). */
  private readonly ownSession = autogroupOf('self')?.group;

  constructor(
    private readonly roots: () => Array<number | undefined>,
    private readonly niceness: number,
    /** Told once when the machine refuses to change a session's share. */
    private readonly onRefused: (why: string) => void = () => undefined,
  ) {}

  /** Looks now, then every YIELD_SWEEP_MS until stopped. */
  start(): void {
    if (!this.niceness) return;
    this.sweep();
    this.sweeper ??= setInterval(() => this.sweep(), YIELD_SWEEP_MS);
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
    clearTimeout(this.pacer);
    this.sweeper = this.pacer = undefined;
    this.waiting = [];
    this.seen.clear();
    this.parents.clear();
  }

  /** One look over the services' processes; returns how many were new. */
  sweep(): number {
    const roots = this.roots().filter((pid): pid is number => Boolean(pid));
    const children = processTree(this.parents);
    const running = descendants(roots, children);
    const now = new Set(running);
    for (const pid of this.seen) if (!now.has(pid)) this.seen.delete(pid);
    const fresh = running.filter((pid) => !this.seen.has(pid));
    if (fresh.length === 0) return 0;
    let mine: Set<number> | undefined; // read once, and only when a new backend asks
    for (const pid of fresh) {
      this.seen.add(pid);
      const port = backendClientPort(pid);
      // A backend serving the console, or a program it runs, keeps its share.
      if (port !== undefined && (mine ??= consoleTcpPorts(children)).has(port)) continue;
      lowerProcess(pid, this.niceness);
      if (!this.refused) this.waiting.push(pid);
    }
    this.lowerWaiting();
    return fresh.length;
  }

  private lowerWaiting(): void {
    if (this.pacer) return;
    while (this.waiting.length > 0) {
      const outcome = lowerSessionPriority(this.waiting[0]!, this.niceness, this.ownSession);
      if (outcome === 'later') {
        this.pacer = setTimeout(() => {
          this.pacer = undefined;
          this.lowerWaiting();
        }, SESSION_GAP_MS);
        this.pacer.unref();
        return;
      }
      if (outcome !== 'done') {
        this.refused = outcome.refused; // the threads still yield
        this.waiting = [];
        this.onRefused(outcome.refused);
        return;
      }
      this.waiting.shift();
    }
  }
}
