// Supervises the bundled worker as a child process: start with the settings, restart with backoff after a
// crash, drain on stop, forward its logs, report its state (polling, task slots, last heartbeat).
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { WorkerStatus } from '../api/contract';
import { OpsError } from '../api/errors';
import type { ConsoleContext, ConsoleModule } from '../console';
import { projectRoot } from '../settings/paths';
import type { WorkerConfig } from '../../worker/config';
import type { SupervisorMessage, WorkerMessage } from '../../worker/index';

const BACKOFF_MS = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000];
/** A worker that stayed up this long is healthy again: the next crash restarts after the shortest delay. */
const STABLE_MS = 60_000;
const DRAIN_TIMEOUT_MS = 20_000;

export function workerEntry(): string {
  return path.join(projectRoot(), 'dist', 'worker', 'index.mjs');
}

export class WorkerSupervisor implements ConsoleModule {
  readonly name = 'worker';
  private child: ChildProcess | undefined;
  private wanted = false;
  private crashes = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private status: WorkerStatus;
  private readonly log;
  private readonly workerLog;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: ConsoleContext,
    private readonly config: () => WorkerConfig,
  ) {
    this.log = ctx.log('worker');
    this.workerLog = ctx.logs;
    this.status = {
      state: 'stopped',
      restarts: 0,
      polling: false,
      taskQueue: ctx.settings.get().temporal.taskQueue,
    };
    ctx.router.register({
      'worker.status': () => this.current(),
      'worker.start': () => this.start(),
      'worker.stop': () => this.stop(),
    });
  }

  current(): WorkerStatus {
    return { ...this.status };
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private publish(patch: Partial<WorkerStatus>): void {
    this.status = { ...this.status, ...patch };
    this.ctx.router.events.emit('worker.status', this.current());
  }

  /** Starts the worker (idempotent) and resolves once it polls its task queue. */
  async start(): Promise<WorkerStatus> {
    this.wanted = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    if (!this.child) await this.spawn();
    return this.current();
  }

  private spawn(): Promise<void> {
    const entry = workerEntry();
    if (!fs.existsSync(entry)) {
      throw new OpsError(
        'BINARY_MISSING',
        `The worker bundle is missing (${entry}).`,
        'Run `npm run build` first.',
      );
    }
    const config = this.config();
    const child = fork(entry, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [] });
    this.child = child;
    const started = Date.now();
    this.publish({
      state: 'starting',
      pid: child.pid,
      startedAt: new Date(started).toISOString(),
      taskQueue: config.taskQueue,
      polling: false,
      lastError: undefined,
      nextRestartAt: undefined,
    });
    const forward = (level: 'info' | 'warn') => (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim()) this.workerLog.write('worker', level, line);
    };
    child.stdout?.on('data', forward('info'));
    child.stderr?.on('data', forward('warn'));

    const ready = new Promise<void>((resolve, reject) => {
      child.on('message', (message: WorkerMessage) => {
        if (message.type === 'log') this.workerLog.write('worker', message.level, message.message);
        if (message.type === 'ready') {
          this.publish({ state: 'running' });
          resolve();
        }
        if (message.type === 'status') {
          this.publish({
            state: this.status.state === 'draining' ? 'draining' : 'running',
            polling: message.status.polling,
            activitySlots: message.status.activitySlots,
            workflowSlots: message.status.workflowSlots,
            lastHeartbeat: new Date().toISOString(),
          });
        }
      });
      child.once('exit', (code, signal) =>
        reject(new Error(`worker exited (${signal ?? `code ${code}`}) before polling`)),
      );
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.child = undefined;
        const clean = code === 0 && !signal;
        if (!this.wanted) {
          this.publish({ state: 'stopped', pid: undefined, polling: false, activitySlots: undefined });
          this.log.info('worker stopped');
        } else {
          this.crashes = Date.now() - started > STABLE_MS ? 1 : this.crashes + 1;
          const delay = BACKOFF_MS[Math.min(this.crashes - 1, BACKOFF_MS.length - 1)]!;
          const reason = clean ? 'exited' : `crashed (${signal ?? `exit code ${code}`})`;
          this.log.error(`worker ${reason}; restarting in ${delay / 1000} s`);
          this.publish({
            state: 'backoff',
            pid: undefined,
            polling: false,
            restarts: this.status.restarts + 1,
            lastError: `worker ${reason}`,
            nextRestartAt: new Date(Date.now() + delay).toISOString(),
          });
          this.restartTimer = setTimeout(() => {
            this.restartTimer = undefined;
            if (this.wanted && !this.child) this.spawn().catch((err: Error) => this.log.error(err.message));
          }, delay);
          this.restartTimer.unref();
        }
        resolve();
      });
    });
    child.send({ type: 'config', config } satisfies SupervisorMessage);
    return ready.catch((err: Error) => {
      this.publish({ lastError: err.message });
      throw new OpsError(
        'UNAVAILABLE',
        err.message,
        'Check that the stack is running (Stack page), then start the worker again.',
      );
    });
  }

  /** Drains in-flight work, then stops; a worker that does not finish in time is killed. */
  async stop(): Promise<WorkerStatus> {
    this.wanted = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const child = this.child;
    if (!child) {
      this.publish({ state: 'stopped', pid: undefined, polling: false, nextRestartAt: undefined });
      return this.current();
    }
    this.publish({ state: 'draining' });
    if (child.connected) child.send({ type: 'drain' } satisfies SupervisorMessage);
    else child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), DRAIN_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
    return this.current();
  }

  async shutdown(): Promise<void> {
    await this.stop();
  }
}
