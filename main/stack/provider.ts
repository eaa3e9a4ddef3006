// One provider interface over one StackSpec (ARCHITECTURE.md, principle 3): local, docker and attached implement it.
import type { ServiceId, ServiceStatus, StartStep } from '../api';
import type { PgTools } from './pg-tools';
import type { ArchivedCluster, RecoveryDriver } from './recovery-driver';

/** Everything needed to reach one Postgres cluster. */
export interface PostgresEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The databases this cluster holds for us. */
  databases: string[];
  /** TLS to the server (attached profiles); absent: plain TCP on loopback. */
  ssl?: { mode: 'disable' | 'require' | 'verify-ca' | 'verify-full'; ca?: string; caFile?: string };
}

/** How to reach Temporal over TLS (PEM text) and/or with an API key (attached profiles). */
export interface TemporalTls {
  serverName?: string;
  ca?: string;
  clientCert?: string;
  clientKey?: string;
}

/** The resolved description of the stack a provider runs or attaches to. */
export interface StackSpec {
  provider: 'local' | 'docker' | 'attached';
  /** Folder for cluster data and service logs (local provider). */
  dataDir: string;
  appPostgres: PostgresEndpoint & { database: string };
  temporalPostgres: PostgresEndpoint;
  temporal: {
    host: string;
    port: number;
    namespace: string;
    retentionHours: number;
    /** The task queue the worker polls and cycles start on. */
    taskQueue?: string;
    tls?: TemporalTls;
    apiKey?: string;
  };
  /** The connection profile this spec came from; absent: the embedded stack from the settings. */
  profile?: string;
  /** False when the operator has no access to Temporal's own database (Temporal Cloud). */
  hasTemporalPostgres?: boolean;
  temporalUi: { enabled: boolean; port: number };
  /**
   * Cluster passwords the secret store no longer holds although their cluster exists: the stack refuses to
   * start with them (a new password would not open the cluster) and says how to get them back or reset them.
   */
  lostSecrets?: Array<{ name: string; cluster: 'app-postgres' | 'temporal-postgres'; sealed: boolean }>;
}

export interface StepReporter {
  /** Marks a step as running, done, failed or skipped, with an optional detail line. */
  step(id: string, state: StartStep['state'], detail?: string): void;
  /**
   * The app DB answers and holds its database, before the step that creates them ends (the other cluster's may
   * still be on their way): its migrations can start. Without the call they start when the 'databases' step ends.
   */
  appDbReady?(): void;
}

export interface StackProvider {
  readonly kind: StackSpec['provider'];
  /** The steps a start goes through, in order, for the progress view. */
  startSteps(): Array<{ id: string; label: string }>;
  /** Starts whatever is not running; idempotent. */
  start(report: StepReporter, signal: AbortSignal): Promise<void>;
  /**
   * Stops gracefully; idempotent. Keeps data. `discarding`: the databases are about to be replaced (a recovery
   * to a moment), so Temporal, whose state lives there, is stopped at once instead of shutting down gracefully.
   */
  stop(options?: { discarding?: boolean }): Promise<void>;
  restartService(service: ServiceId): Promise<void>;
  /** Stops one service alone (a restore of the database it holds locks in); optional per provider. */
  /** `discarding`: as for stop, the service's state is about to be replaced, so it is stopped at once. */
  stopService?(service: ServiceId, options?: { discarding?: boolean }): Promise<void>;
  /**
   * Gives the console's role on one cluster a new password by the cluster's own superuser route (the stack is
   * stopped first). Where the provider has none, the manager says so.
   */
  resetPassword?(cluster: 'app-postgres' | 'temporal-postgres', password: string): Promise<void>;
  startService?(service: ServiceId): Promise<void>;
  /**
   * Stops and removes what the provider created (containers, network). Data goes only with `deleteData`, and
   * where the provider can, it is moved aside rather than destroyed.
   */
  remove?(options: { deleteData: boolean }): Promise<RemoveResult>;
  /** The current state of every service, as far as the provider can tell without side effects. */
  services(): Promise<ServiceStatus[]>;
  /** Both clusters' WAL archives and base backups, where the provider runs the clusters (point-in-time recovery). */
  archivedClusters?(): { app: ArchivedCluster; tpg: ArchivedCluster };
  /** The provider's side of an in-place recovery of both clusters (`stamp` names its scratch and old data). */
  recoveryDriver?(stamp: string): RecoveryDriver;
  /**
   * pg_dump, pg_restore and psql for one cluster (backups and restores), run where this provider reaches it: with
   * the binaries on this machine, or inside the cluster's container.
   */
  pgTools(cluster: 'app-postgres' | 'temporal-postgres', endpoint: PostgresEndpoint): PgTools;
  /** At console exit: stops what this console started (a stack it adopted keeps running); absent: nothing to do. */
  shutdown?(): Promise<void>;
  /** Replaced by another (the settings changed): stops its own background work; the services run on. */
  release?(): void;
  /** Brings the console's log files up to date with what the services printed while no console followed them. */
  catchUpLogs?(): void;
}

export interface RemoveResult {
  removed: string[];
  dataKept: boolean;
  /** Where the data was moved when it was not destroyed outright. */
  movedTo?: string;
}
