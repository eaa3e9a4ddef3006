// What a capability (stack, worker, workflows, …) receives to wire itself in. A leaf: the composition root
// (console.ts) implements it, the capabilities import it from here and never the root itself.
import type { AppInfo, Profile, ProfileMode } from '../api';
import type { Router } from '../api';
import type { LogBus, Logger } from '../logs';
import type { SecretStore, SettingsStore } from '../settings';

/** Lets a caller (tests, an operator's own image) run Temporal from another image or command. */
export interface TemporalContainerOverride {
  image?: string;
  entrypoint?: string[];
  cmd?: string[];
  /** Merged over the generated environment (a key given here wins). */
  env?: Record<string, string>;
  /** Extra bind mounts, `host:container[:ro]`. */
  binds?: string[];
}

/** What a capability may ask of the connection profiles: the one in force and its production lock. */
export interface ProfilesInForce {
  active(): Profile | undefined;
  mode(): ProfileMode;
  /** Changes whenever the profile in force may have (what is read from `active` is cached on it). */
  revision(): string;
}

export interface ConsoleContext {
  readonly router: Router;
  readonly logs: LogBus;
  readonly settings: SettingsStore;
  readonly secrets: SecretStore;
  readonly dataDir: string;
  readonly mode: AppInfo['mode'];
  /**
   * Browser and desktop consoles run until closed and follow the stack (worker, NOTIFY listener, schedules,
   * after-start checks); one-shot CLI commands run none of that, so they exit when their work is done.
   */
  readonly longRunning: boolean;
  /** Connection profiles: the one in force decides the stack spec and the production lock. */
  readonly profiles: ProfilesInForce;
  /** Another image or command for Temporal on the Docker provider (an operator's own image; the tests' image). */
  readonly dockerTemporal?: TemporalContainerOverride;
  log(source: string): Logger;
}

export interface ConsoleModule {
  readonly name: string;
  /** Called once when the console is being shut down; must stop every child process it owns. */
  shutdown?(): Promise<void>;
}

export type ModuleFactory = (ctx: ConsoleContext) => ConsoleModule;
