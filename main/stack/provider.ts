// One provider interface over one StackSpec (ARCHITECTURE.md, principle 3): local, docker and attached implement it.
import type { ServiceId, ServiceStatus, StartStep } from '../api/contract';

/** Everything needed to reach one Postgres cluster. */
export interface PostgresEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The databases this cluster holds for us. */
  databases: string[];
}

/** The resolved description of the stack a provider runs or attaches to. */
export interface StackSpec {
  provider: 'local' | 'docker' | 'attached';
  /** Folder for cluster data and service logs (local provider). */
  dataDir: string;
  appPostgres: PostgresEndpoint & { database: string };
  temporalPostgres: PostgresEndpoint;
  temporal: { host: string; port: number; namespace: string; retentionHours: number };
  temporalUi: { enabled: boolean; port: number };
}

export interface StepReporter {
  /** Marks a step as running, done, failed or skipped, with an optional detail line. */
  step(id: string, state: StartStep['state'], detail?: string): void;
}

export interface StackProvider {
  readonly kind: StackSpec['provider'];
  /** The steps a start goes through, in order, for the progress view. */
  startSteps(): Array<{ id: string; label: string }>;
  /** Starts whatever is not running; idempotent. */
  start(report: StepReporter, signal: AbortSignal): Promise<void>;
  /** Stops gracefully; idempotent. Keeps data. */
  stop(): Promise<void>;
  restartService(service: ServiceId): Promise<void>;
  /** Stops one service alone (a restore of the database it holds locks in); optional per provider. */
  stopService?(service: ServiceId): Promise<void>;
  startService?(service: ServiceId): Promise<void>;
  /** The current state of every service, as far as the provider can tell without side effects. */
  services(): Promise<ServiceStatus[]>;
}
