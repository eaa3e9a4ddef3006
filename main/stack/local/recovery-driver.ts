// In-place recovery on the local provider: each base backup copied beside the cluster's data folder, swapped in by
// journaled renames, replayed on the real port.
import path from 'node:path';
import type { PostgresCluster } from './postgres';
import type { ClusterRecovery, RecoveryDriver } from '../recovery-driver';
import { beginRecovery, endRecovery, rollBackInterrupted, swapFolders } from '../pitr/journal';
import { forgetRecovery, layDownBaseBackup, replayInPlace } from '../pitr/replay';

export function localRecoveryDriver(
  stackDir: string,
  clusters: PostgresCluster[],
  stamp: string,
  startCluster: (id: PostgresCluster['id']) => Promise<void>,
): RecoveryDriver {
  const work = clusters.map((cluster) => ({
    cluster,
    recovered: path.join(cluster.dir, `data.recovered-${stamp}`),
    old: path.join(cluster.dir, `data.old-${stamp}`),
  }));
  return {
    clusters: work.map(({ cluster, recovered, old }): ClusterRecovery => ({
      id: cluster.id,
      oldData: old,
      layDown: (backup, to, inclusive) => layDownBaseBackup(cluster, backup, recovered, to, inclusive),
      replay: () => replayInPlace(cluster, () => startCluster(cluster.id)),
      forgetRecovery: async () => forgetRecovery(cluster),
    })),
    begin: async () =>
      beginRecovery(
        stackDir,
        work.map((w) => w.recovered),
      ),
    swap: async () =>
      swapFolders(
        stackDir,
        work.flatMap((w) => [
          { from: w.cluster.dataDir, to: w.old },
          { from: w.recovered, to: w.cluster.dataDir },
        ]),
      ),
    end: async () => endRecovery(stackDir),
    rollBack: async () => void rollBackInterrupted(stackDir),
  };
}
