// One cluster's WAL archive and base backups as recovery sees them, whichever provider keeps them: on this
// machine's disk (local provider) or in a volume read through the container (Docker provider).
import fs from 'node:fs';
import path from 'node:path';
import type { ArchivedCluster } from '../recovery-driver';
import type { PostgresCluster } from './postgres';
import { archiveBytes, listSegments, pruneSegments } from '../pitr/wal';
import { listBaseBackups, pruneBaseBackups, takeBaseBackup } from '../pitr/base-backup';

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
