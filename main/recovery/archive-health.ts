// One cluster's archiving health: segments and base backups kept, and what pg_stat_archiver says (lag, failures).
import type { ArchiveHealth } from '../api';
import { segmentLag, withClusterClient, type ArchivedCluster } from '../stack';

export async function archiveHealth(cluster: ArchivedCluster): Promise<ArchiveHealth> {
  const [segments, backups, bytes, running] = await Promise.all([
    cluster.segments(),
    cluster.baseBackups(),
    cluster.archiveBytes(),
    cluster.running(),
  ]);
  const health: ArchiveHealth = {
    cluster: cluster.id,
    enabled: cluster.archivingEnabled,
    failedCount: 0,
    archiveBytes: bytes,
    segments: segments.length,
    baseBackups: backups.length,
    oldestRecoverable: backups[0]?.finishedAt,
  };
  if (!running) return { ...health, problem: 'the cluster is not running' };
  try {
    await withClusterClient(cluster.endpoint, async (c) => {
      const s = await c.query<{
        archived_count: string;
        last_archived_wal: string | null;
        last_archived_time: Date | null;
        failed_count: string;
        last_failed_wal: string | null;
        last_failed_time: Date | null;
        current: string;
      }>('SELECT *, pg_walfile_name(pg_current_wal_lsn()) AS current FROM pg_stat_archiver');
      const row = s.rows[0]!;
      health.lastArchivedWal = row.last_archived_wal ?? undefined;
      health.lastArchivedAt = row.last_archived_time?.toISOString();
      health.failedCount = Number(row.failed_count);
      health.lastFailedWal = row.last_failed_wal ?? undefined;
      health.lastFailedAt = row.last_failed_time?.toISOString();
      health.currentWal = row.current;
      if (row.last_archived_wal) health.lagSegments = segmentLag(row.last_archived_wal, row.current);
      const failingNow =
        row.last_failed_time && (!row.last_archived_time || row.last_failed_time > row.last_archived_time);
      if (cluster.archivingEnabled && failingNow) {
        health.problem = `archiving ${row.last_failed_wal} is failing (${row.failed_count} failures): check free space and permissions of ${cluster.archiveLocation}`;
      }
    });
  } catch (err) {
    health.problem = `cannot read archiver state: ${(err as Error).message}`;
  }
  return health;
}
