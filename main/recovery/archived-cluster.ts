// One cluster's WAL archive and base backups as recovery sees them, whichever provider keeps them: on this
// machine's disk (local provider) or in a volume read through the container (Docker provider).
import fs from 'node:fs';
import path from 'node:path';
import type { PostgresEndpoint } from '../stack/provider';
import type { PostgresCluster } from '../stack/local/postgres';
import { archiveBytes, listSegments, pruneSegments, type Segment } from './archive';
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
