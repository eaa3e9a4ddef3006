// Can both clusters reach a moment? Pure: base backups and archive listings in, a plan or the reason out.
import { reachFrom, type BaseBackup, type Segment } from '../stack';

export interface ClusterPlan {
  cluster: string;
  ok: boolean;
  reason?: string;
  baseBackup?: BaseBackup;
  /** The latest moment this cluster's archive can bring it to. */
  reachesUntil?: string;
}

/**
 * A cluster can reach `to` when a base backup finished at or before it and the archive runs without a hole from
 * that backup's first segment to a segment archived at or after `to` (that segment holds the WAL of `to`).
 */
export function planCluster(
  cluster: string,
  to: Date,
  backups: BaseBackup[],
  segments: Segment[],
): ClusterPlan {
  const usable = backups.filter((b) => new Date(b.finishedAt) <= to);
  if (usable.length === 0) {
    const oldest = backups[0];
    return {
      cluster,
      ok: false,
      reason: oldest
        ? `${cluster} has no base backup from before ${to.toISOString()}: the oldest recoverable moment is ${oldest.finishedAt}.`
        : `${cluster} has no base backup yet: take one (with archiving on) before recovering to a moment.`,
    };
  }
  const baseBackup = usable.at(-1)!;
  const reach = reachFrom(segments, baseBackup.startWal);
  const reachesUntil = reach.last?.archivedAt.toISOString();
  if (reach.last && reach.last.archivedAt >= to) return { cluster, ok: true, baseBackup, reachesUntil };
  if (reach.gapAt) {
    return {
      cluster,
      ok: false,
      baseBackup,
      reachesUntil,
      reason: `WAL segment ${reach.gapAt} is missing from the archive of ${cluster}: recovery from the base backup of ${baseBackup.finishedAt} can reach ${reachesUntil ?? 'nothing'} at most.`,
    };
  }
  return {
    cluster,
    ok: false,
    baseBackup,
    reachesUntil,
    reason: `The archive of ${cluster} reaches ${reachesUntil ?? 'nothing'} so far: ${to.toISOString()} is not archived yet.`,
  };
}
