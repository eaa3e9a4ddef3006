// What the provider interface says about point-in-time recovery: each cluster's WAL archive and base backups,
// and the provider's side of an in-place recovery. Types only: recovery/ implements the work on top of them.
import type { PostgresEndpoint } from './provider';

/** One archived WAL segment. */
export interface Segment {
  name: string;
  timeline: number;
  /** Position in the WAL stream, independent of the timeline. */
  position: number;
  archivedAt: Date;
  bytes: number;
}

/** One base backup of a cluster. */
export interface BaseBackup {
  cluster: 'app-postgres' | 'temporal-postgres';
  dir: string;
  label: string;
  /** The first WAL segment recovery from this backup needs. */
  startWal: string;
  startedAt: string;
  /** Recovery from this backup can reach any moment from here on (its consistency point, at the latest). */
  finishedAt: string;
  bytes: number;
}

export interface ArchivedCluster {
  readonly id: 'app-postgres' | 'temporal-postgres';
  readonly archivingEnabled: boolean;
  /** Where the host reaches the server (archiver state, closing segments). */
  readonly endpoint: PostgresEndpoint;
  /** Where the archive is, in the operator's words (a folder, or a folder in a volume). */
  readonly archiveLocation: string;
  running(): Promise<boolean>;
  segments(): Promise<Segment[]>;
  hasSegment(name: string): Promise<boolean>;
  archiveBytes(): Promise<number>;
  baseBackups(): Promise<BaseBackup[]>;
  takeBaseBackup(): Promise<BaseBackup>;
  /** Keeps the newest `keep` base backups and every segment the oldest kept one needs; returns segments pruned. */
  prune(keep: number): Promise<number>;
}

/** One cluster's part of an in-place recovery, whichever provider runs it. */
export interface ClusterRecovery {
  readonly id: 'app-postgres' | 'temporal-postgres';
  /** Where the previous data stays after the swap, until the operator removes it. */
  readonly oldData: string;
  /** The base backup laid down beside the live data with recovery.signal and the settings (the stack may run). */
  layDown(backup: BaseBackup, to: Date, inclusive: boolean): Promise<void>;
  /** Starts the swapped-in cluster on its real port until it reaches the moment and becomes a primary on a new
   * timeline; the last replayed commit. */
  replay(): Promise<{ reachedAt?: string }>;
  /** Drops the recovery settings (after the check): no later start recovers again. */
  forgetRecovery(): Promise<void>;
}

/** The provider's side of an in-place recovery of both clusters: journaled, so a killed console is rolled back. */
export interface RecoveryDriver {
  clusters: ClusterRecovery[];
  /** Records the scratch data (folders, volumes) before it is made. */
  begin(): Promise<void>;
  /** With both clusters stopped: the laid-down data in, the previous data aside (journaled). */
  swap(): Promise<void>;
  /** The recovery was validated: forget the journal (the previous data stays, named in the result). */
  end(): Promise<void>;
  /** With the stack stopped: the previous data back in place, the scratch data removed. */
  rollBack(): Promise<void>;
}
