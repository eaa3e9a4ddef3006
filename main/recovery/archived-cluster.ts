// One cluster's WAL archive and base backups as recovery sees them, whichever provider keeps them: on this
// machine's disk (local provider) or in a volume read through the container (Docker provider).
import fs from 'node:fs';
import path from 'node:path';
import type { PostgresEndpoint } from '../stack/provider';
import type { PostgresCluster } from '../stack/local/postgres';
import { archiveBytes, listSegments, pruneSegments, type Segment } from './wal';
import { listBaseBackups, pruneBaseBackups, takeBaseBackup, type BaseBackup } from './base-backup';

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

export function localArchivedCluster(cluster: PostgresCluster): ArchivedCluster {
  return {
    id: cluster.id,
    archivingEnabled: cluster.archivingEnabled,
    endpoint: cluster.endpoint,
    archiveLocation: cluster.archiveDir,
    running: () => Promise.resolve(Boolean(cluster.pid())),
    segments: () => Promise.resolve(listSegments(cluster.archiveDir)),
    hasSegment: (name) => Promise.resolve(fs.existsSync(path.join(cluster.archiveDir, name))),
    archiveBytes: () => Promise.resolve(archiveBytes(cluster.archiveDir)),
    baseBackups: () => Promise.resolve(listBaseBackups(cluster)),
    takeBaseBackup: () => takeBaseBackup(cluster),
    prune: (keep) => {
      const oldestKept = pruneBaseBackups(cluster, keep);
      return Promise.resolve(oldestKept ? pruneSegments(cluster.archiveDir, oldestKept.startWal).length : 0);
    },
  };
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
