// The composition root: builds the router and wires every capability into it. Both transports and the CLI use it.
import fs from 'node:fs';
import os from 'node:os';
import { Router } from './api/router';
import type { AppInfo, LogLine } from './api/contract';
import { LogBus, type Logger } from './logs';
import { FileSecretStore, SettingsStore, defaultDataDir, type SecretStore } from './settings';
import { StackManager } from './stack/manager';

export const CONSOLE_VERSION = '0.1.0';

export interface ConsoleOptions {
  mode: AppInfo['mode'];
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  secrets?: SecretStore;
  echoLogs?: (line: LogLine) => void;
}

/** What a capability (stack, worker, workflows, …) receives to wire itself in. */
export interface ConsoleContext {
  readonly router: Router;
  readonly logs: LogBus;
  readonly settings: SettingsStore;
  readonly secrets: SecretStore;
  readonly dataDir: string;
  readonly mode: AppInfo['mode'];
  log(source: string): Logger;
}

export interface ConsoleModule {
  readonly name: string;
  /** Called once when the console is being shut down; must stop every child process it owns. */
  shutdown?(): Promise<void>;
}

export type ModuleFactory = (ctx: ConsoleContext) => ConsoleModule;

export class OpsConsole implements ConsoleContext {
  readonly router = new Router();
  readonly logs: LogBus;
  readonly settings: SettingsStore;
  readonly secrets: SecretStore;
  readonly dataDir: string;
  readonly mode: AppInfo['mode'];
  private readonly modules: ConsoleModule[] = [];
  private shuttingDown: Promise<void> | undefined;

  constructor(options: ConsoleOptions) {
    this.mode = options.mode;
    this.dataDir = options.dataDir ?? defaultDataDir(options.env);
    fs.mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    this.logs = new LogBus(this.router.events, 20_000, options.echoLogs);
    this.settings = new SettingsStore(this.dataDir, options.env);
    this.secrets = options.secrets ?? new FileSecretStore(this.dataDir);

    this.router.register({
      'app.info': () => ({
        name: 'Ops Console',
        version: CONSOLE_VERSION,
        mode: this.mode,
        platform: `${os.platform()} ${os.arch()}`,
        node: process.version,
        dataDir: this.dataDir,
        pid: process.pid,
      }),
      'logs.recent': (input) => this.logs.recent(input),
      'settings.get': () => this.settings.view(),
      'settings.update': (patch) => {
        const view = this.settings.update(patch);
        this.router.events.emit('settings.changed', view);
        this.log('console').info('settings saved');
        return view;
      },
    });
  }

  log(source: string): Logger {
    return this.logs.forSource(source);
  }

  use(factory: ModuleFactory): this {
    this.modules.push(factory(this));
    return this;
  }

  /** Stops what the modules run, last wired first. Safe to call more than once. */
  shutdown(): Promise<void> {
    this.shuttingDown ??= (async () => {
      for (const module of [...this.modules].reverse()) {
        try {
          await module.shutdown?.();
        } catch (err) {
          this.log('console').error(`stopping ${module.name} failed: ${(err as Error).message}`);
        }
      }
    })();
    return this.shuttingDown;
  }
}

export interface WiredConsole extends OpsConsole {
  readonly stack: StackManager;
}

/** The console with every capability this build has, wired in dependency order. */
export function createConsole(options: ConsoleOptions): WiredConsole {
  const ops = new OpsConsole(options);
  const stack = new StackManager(ops);
  ops.use(() => stack);
  return Object.assign(ops, { stack });
}
