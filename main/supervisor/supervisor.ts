// Supervises the bundled worker as N child processes (scale out): start with the settings, restart each with
// backoff after a crash, drain on stop or scale-down, forward their logs, report each one's state (polling, task
// slots, last heartbeat) and the whole. `worker.processes` may change while running: scale up starts more at
// once, scale down drains the surplus (they finish in-flight tasks; Temporal hands the rest to the others).
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { WorkerProcessStatus, WorkerStatus } from '../api';
import { OpsError } from '../api';
import type { ConsoleContext, ConsoleModule } from '../context';
import { shippedResources } from '../resources';
import { lowerProcess, servicesNiceness } from '../stack';
import type { SupervisorMessage, WorkerConfig, WorkerMessage } from '../../shared/worker-protocol';

const BACKOFF_MS = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000];
/** A worker that stayed up this long is healthy again: the next crash restarts after the shortest delay. */
const STABLE_MS = 60_000;
const DRAIN_TIMEOUT_MS = 20_000;

export function workerEntry(): string {
  return shippedResources().workerEntry;
}

/**
 * Sends a worker process a message. One that has just gone (stopped while it started, or crashed) cannot take it:
 * its exit is handled where it is watched, so the failed send is only reported to `failed`, never thrown.
 */
export function tell(child: ChildProcess, message: SupervisorMessage, failed: (err: Error) => void): void {
  child.send(message, (err) => {
    if (err) failed(err);
  });
}

/** One supervised worker process. */
class Slot {
  child: ChildProcess | undefined;
  wanted = false;
  crashes = 0;
  restartTimer: NodeJS.Timeout | undefined;
  exited: Promise<void> = Promise.resolve();
  status: WorkerProcessStatus;

  constructor(readonly index: number) {
    this.status = { index, state: 'stopped', restarts: 0, polling: false };
  }
}

export class WorkerSupervisor implements ConsoleModule {
  readonly name = 'worker';
  private slots: Slot[] = [];
  private desired = 1;
  private taskQueue: string;
  private readonly log;
  private readonly workerLog;
  private scaling: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ctx: ConsoleContext,
    private readonly config: () => WorkerConfig,
  ) {
    this.log = ctx.log('worker');
    this.workerLog = ctx.logs;
    this.taskQueue = ctx.settings.get().temporal.taskQueue;
    this.desired = ctx.settings.get().worker.processes;
    ctx.router.register({
      'worker.status': () => this.current(),
      'worker.start': () => this.start(),
      'worker.stop': () => this.stop(),
      'worker.setLlmApiKey': ({ apiKey }) => {
        ctx.secrets.set('worker.llmApiKey', apiKey);
        ctx
          .log('worker')
          .info(apiKey ? 'LLM API key stored; restart the worker to use it' : 'LLM API key removed');
        return { stored: apiKey !== '', store: ctx.secrets.kind };
      },
      'worker.scale': async ({ processes }) => {
        ctx.settings.update({ worker: { processes } });
        ctx.router.events.emit('settings.changed', ctx.settings.view());
        return this.scale(processes);
      },
    });
    // A settings change of worker.processes (Settings page, settings.update) scales a running worker too.
    ctx.router.events.subscribe((name, payload) => {
      if (name !== 'settings.changed') return;
      const wanted = (payload as { settings: { worker: { processes: number } } }).settings.worker.processes;
      if (wanted !== this.desired && this.running())
        this.scale(wanted).catch((err: Error) => this.log.error(`scaling to ${wanted}: ${err.message}`));
    });
  }

  private running(): boolean {
    return this.slots.some((s) => s.wanted);
  }

  private aggregate(): WorkerStatus {
    const active = this.slots.filter((s) => s.wanted || s.child);
    const list = active.map((s) => ({ ...s.status }));
    const first = active[0]?.status ?? this.slots[0]?.status;
    const states = list.map((p) => p.state);
    const state: WorkerStatus['state'] = !list.length
      ? 'stopped'
      : states.includes('running')
        ? states.every((s) => s === 'draining')
          ? 'draining'
          : 'running'
        : states.includes('starting')
          ? 'starting'
          : states.includes('draining')
            ? 'draining'
            : states.includes('backoff')
              ? 'backoff'
              : states.includes('crashed')
                ? 'crashed'
                : 'stopped';
    const sum = (key: 'activitySlots' | 'workflowSlots') =>
      list.some((p) => p[key])
        ? list.reduce(
            (acc, p) => ({
              used: acc.used + (p[key]?.used ?? 0),
              available: acc.available + (p[key]?.available ?? 0),
            }),
            { used: 0, available: 0 },
          )
        : undefined;
    const heartbeats = list.map((p) => p.lastHeartbeat).filter((h): h is string => Boolean(h));
    const all = this.slots.map((s) => s.status);
    const status: WorkerStatus = {
      state,
      restarts: all.reduce((n, p) => n + p.restarts, 0),
      polling: list.some((p) => p.polling),
      taskQueue: this.taskQueue,
      desiredProcesses: this.running() ? this.desired : 0,
      processes: all.map((p) => ({ ...p })),
    };
    if (first?.pid !== undefined) status.pid = first.pid;
    if (first?.startedAt) status.startedAt = first.startedAt;
    if (heartbeats.length) status.lastHeartbeat = heartbeats.sort().at(-1);
    const activitySlots = sum('activitySlots');
    const workflowSlots = sum('workflowSlots');
    if (activitySlots) status.activitySlots = activitySlots;
    if (workflowSlots) status.workflowSlots = workflowSlots;
    const next = list.map((p) => p.nextRestartAt).filter((t): t is string => Boolean(t));
    if (next.length) status.nextRestartAt = next.sort()[0];
    const lastError = all.map((p) => p.lastError).find(Boolean);
    if (lastError) status.lastError = lastError;
    return status;
  }

  current(): WorkerStatus {
    return this.aggregate();
  }

  /** The first process's pid (the whole worker when it runs one process). */
  get pid(): number | undefined {
    return this.slots.find((s) => s.child)?.child?.pid;
  }

  /** Every live worker process's pid, by index. */
  pids(): number[] {
    return this.slots.flatMap((s) => (s.child?.pid ? [s.child.pid] : []));
  }

  private publish(slot: Slot, patch: Partial<WorkerProcessStatus>): void {
    slot.status = { ...slot.status, ...patch };
    this.ctx.router.events.emit('worker.status', this.current());
  }

  private serialise<T>(work: () => Promise<T>): Promise<T> {
    const next = this.scaling.then(work, work);
    this.scaling = next.catch(() => undefined);
    return next;
  }

  /** Starts the worker (idempotent) with the configured number of processes; resolves once they poll. */
  start(): Promise<WorkerStatus> {
    return this.scale(this.ctx.settings.get().worker.processes);
  }

  /** Runs exactly `n` processes: starts the missing ones, drains the surplus (highest index first). */
  scale(n: number): Promise<WorkerStatus> {
    return this.serialise(async () => {
      this.desired = n;
      const starting: Array<Promise<void>> = [];
      for (let i = 0; i < n; i++) {
        const slot = (this.slots[i] ??= new Slot(i));
        slot.wanted = true;
        if (slot.restartTimer) clearTimeout(slot.restartTimer);
        slot.restartTimer = undefined;
        if (!slot.child) starting.push(this.spawn(slot));
      }
      const surplus = this.slots.slice(n).filter((s) => s.wanted || s.child);
      if (surplus.length)
        this.log.info(`scaling down to ${n} worker process(es): draining ${surplus.length}`);
      else if (starting.length && this.slots.length > 1) this.log.info(`scaling up to ${n} worker processes`);
      const results = await Promise.allSettled([...starting, ...surplus.map((s) => this.drain(s))]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      return this.current();
    });
  }

  private spawn(slot: Slot): Promise<void> {
    const entry = workerEntry();
    if (!fs.existsSync(entry)) {
      return Promise.reject(
        new OpsError(
          'BINARY_MISSING',
          `The worker bundle is missing (${entry}).`,
          'Run `npm run build` first.',
        ),
      );
    }
    const base = this.config();
    const config: WorkerConfig =
      slot.index === 0 ? base : { ...base, identity: `${base.identity}#${slot.index}` };
    this.taskQueue = config.taskQueue;
    // It starts at normal priority, as the services do, so a start on a busy machine takes no longer for it (its
    // start is seconds of work: loading its code, the workflows' sandbox, Temporal's core); it yields once it polls.
    // It stays in the console's session: where the kernel shares the CPU by session, its work then comes out of the
    // console's share, below the console and its windows. In a session of its own it took a share beside theirs:
    // with other work in the console's session, a live view's p95 at 50 cycles was 184 ms against 138 ms here.
    const child = fork(entry, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [] });
    slot.child = child;
    const started = Date.now();
    const tag = `[w${slot.index}] `;
    this.publish(slot, {
      state: 'starting',
      pid: child.pid,
      startedAt: new Date(started).toISOString(),
      polling: false,
      lastError: undefined,
      nextRestartAt: undefined,
    });
    const forward = (level: 'info' | 'warn') => (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim()) this.workerLog.write('worker', level, tag + line);
    };
    child.stdout?.on('data', forward('info'));
    child.stderr?.on('data', forward('warn'));
    // A signal that cannot be sent, or a message to one already gone: its exit, if it comes, is handled below.
    child.on('error', (err) => this.log.warn(`worker process ${slot.index}: ${err.message}`));

    const ready = new Promise<void>((resolve, reject) => {
      child.on('message', (message: WorkerMessage) => {
        if (message.type === 'log') this.workerLog.write('worker', message.level, tag + message.message);
        if (message.type === 'ready') {
          // Every thread it runs, and those it starts later (they inherit it).
          lowerProcess(child.pid, servicesNiceness(this.ctx.settings.get()));
          this.publish(slot, { state: 'running' });
          resolve();
        }
        if (message.type === 'status') {
          this.publish(slot, {
            state: slot.status.state === 'draining' ? 'draining' : 'running',
            polling: message.status.polling,
            activitySlots: message.status.activitySlots,
            workflowSlots: message.status.workflowSlots,
            lastHeartbeat: new Date().toISOString(),
          });
        }
      });
      child.once('exit', (code, signal) => {
        // Stopped before it polled, as asked: the start ends there.
        if (!slot.wanted) resolve();
        else reject(new Error(`worker exited (${signal ?? `code ${code}`}) before polling`));
      });
    });
    slot.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        slot.child = undefined;
        const clean = code === 0 && !signal;
        if (!slot.wanted) {
          this.publish(slot, {
            state: 'stopped',
            pid: undefined,
            polling: false,
            activitySlots: undefined,
            workflowSlots: undefined,
          });
          this.log.info(`worker process ${slot.index} stopped`);
        } else {
          slot.crashes = Date.now() - started > STABLE_MS ? 1 : slot.crashes + 1;
          const delay = BACKOFF_MS[Math.min(slot.crashes - 1, BACKOFF_MS.length - 1)]!;
          const reason = clean ? 'exited' : `crashed (${signal ?? `exit code ${code}`})`;
          this.log.error(`worker process ${slot.index} ${reason}; restarting in ${delay / 1000} s`);
          this.publish(slot, {
            state: 'backoff',
            pid: undefined,
            polling: false,
            restarts: slot.status.restarts + 1,
            lastError: `worker ${reason}`,
            nextRestartAt: new Date(Date.now() + delay).toISOString(),
          });
          slot.restartTimer = setTimeout(() => {
            slot.restartTimer = undefined;
            if (slot.wanted && !slot.child)
              this.spawn(slot).catch((err: Error) => this.log.error(err.message));
          }, delay);
          slot.restartTimer.unref();
        }
        resolve();
      });
    });
    tell(child, { type: 'config', config }, (err) => {
      if (slot.wanted)
        this.log.warn(`worker process ${slot.index} did not take its settings: ${err.message}`);
    });
    return ready.catch((err: Error) => {
      this.publish(slot, { lastError: err.message });
      throw new OpsError(
        'UNAVAILABLE',
        err.message,
        'Check that the stack is running (Stack page), then start the worker again.',
      );
    });
  }

  /** Drains one process's in-flight work, then it stops; one that does not finish in time is killed. */
  private async drain(slot: Slot): Promise<void> {
    slot.wanted = false;
    if (slot.restartTimer) clearTimeout(slot.restartTimer);
    slot.restartTimer = undefined;
    const child = slot.child;
    if (!child) {
      this.publish(slot, { state: 'stopped', pid: undefined, polling: false, nextRestartAt: undefined });
      return;
    }
    if (!child.killed) {
      // (One already killed, by a stop that did not wait, only has to exit.)
      this.publish(slot, { state: 'draining' });
      if (child.connected) tell(child, { type: 'drain' }, () => child.kill('SIGTERM'));
      else child.kill('SIGTERM');
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), DRAIN_TIMEOUT_MS);
    await slot.exited;
    clearTimeout(timer);
  }

  /**
   * Drains every process, then stops. A process that does not poll yet holds no work: it stops at once, without
   * waiting for its start to finish (on a busy machine that can take seconds). `discarding` (as for the stack's
   * stop): the databases are about to be replaced, so every process stops at once, its in-flight work abandoned
   * (Temporal hands it out again after its timeout).
   */
  stop(options: { discarding?: boolean } = {}): Promise<WorkerStatus> {
    for (const slot of this.slots) {
      // Until it says it polls, a process is 'starting' (its heartbeats begin after that).
      if (!slot.child || (slot.status.state !== 'starting' && !options.discarding)) continue;
      slot.wanted = false;
      slot.child.kill('SIGKILL');
    }
    if (options.discarding && this.slots.some((s) => s.child))
      this.log.info('the databases are about to be replaced: the worker stops without finishing its tasks');
    return this.serialise(async () => {
      await Promise.all(this.slots.map((s) => this.drain(s)));
      return this.current();
    });
  }

  async shutdown(): Promise<void> {
    await this.stop();
  }
}
