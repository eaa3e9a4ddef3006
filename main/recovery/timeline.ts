// The recovery timeline: base backups, each cluster's WAL range from its oldest base backup, dump sets, operator
// actions, and the cycle and phase marks the app DB holds.
import type { RecoveryTimeline, TimelineMark } from '../api';
import type { Router } from '../api';
import type { AppDbPool } from '../db';
import { reachFrom, type ArchivedCluster } from '../stack';

export async function recoveryTimeline(
  archived: ArchivedCluster[],
  appDb: AppDbPool,
  router: Router,
): Promise<RecoveryTimeline> {
  const listed = await Promise.all(
    archived.map(async (c) => ({ c, segments: await c.segments(), backups: await c.baseBackups() })),
  );
  const clusters = listed.map(({ c, segments, backups }) => {
    const from = backups[0];
    const reach = from ? reachFrom(segments, from.startWal) : {};
    return {
      cluster: c.id,
      from: from?.finishedAt,
      until: reach.last?.archivedAt.toISOString(),
      gaps: reach.gapAt ? [reach.gapAt] : [],
    };
  });
  const baseBackups = listed.flatMap(({ backups }) =>
    backups.map(({ cluster, label, startedAt, finishedAt, bytes }) => ({
      cluster,
      label,
      startedAt,
      finishedAt,
      bytes,
    })),
  );
  const marks: TimelineMark[] = baseBackups.map((b) => ({
    at: b.finishedAt,
    kind: 'base_backup',
    label: `base backup of ${b.cluster}`,
  }));
  if (await archived.find((c) => c.id === 'app-postgres')?.running()) {
    try {
      const { rows } = await appDb.get().query<{
        at: Date;
        kind: TimelineMark['kind'];
        label: string;
        workflow_id: string;
      }>(
        `SELECT * FROM (
             SELECT started_at AS at, 'cycle_started' AS kind, 'cycle ' || coalesce(cycle_id::text, '?') || ' started' AS label, workflow_id FROM workflow_executions
             UNION ALL
             SELECT finished_at, 'phase_completed', phase || ' completed', workflow_id FROM workflow_phases WHERE status IN ('completed', 'compensated') AND finished_at IS NOT NULL
             UNION ALL
             SELECT created_at, 'compensation', phase || ' compensated (' || strategy || ')', workflow_id FROM workflow_compensation_log
           ) m ORDER BY at DESC LIMIT 1000`,
      );
      marks.push(
        ...rows.map((r) => ({
          at: r.at.toISOString(),
          kind: r.kind,
          label: r.label,
          workflowId: r.workflow_id,
        })),
      );
    } catch {
      // no tracking tables yet: the timeline shows backups and archive ranges only
    }
  }
  marks.push(...(await otherMarks(router)));
  marks.sort((a, b) => a.at.localeCompare(b.at));
  return { now: new Date().toISOString(), clusters, baseBackups, marks };
}

/** Dump sets and operator actions, where those capabilities are part of this build. */
async function otherMarks(router: Router): Promise<TimelineMark[]> {
  const out: TimelineMark[] = [];
  const list = async (op: string): Promise<unknown> => {
    const r = await router.call(op, {});
    return r.ok ? r.result : undefined;
  };
  const sets = (await list('backups.list')) as
    Array<{ id?: string; createdAt?: string; finishedAt?: string }> | undefined;
  for (const s of Array.isArray(sets) ? sets : []) {
    const at = s.finishedAt ?? s.createdAt;
    if (at) out.push({ at, kind: 'dump_set', label: `backup set ${s.id ?? ''}`.trim() });
  }
  const audit = (await list('audit.list')) as
    | { entries?: Array<{ at?: string; time?: string; operation?: string; op?: string }> }
    | Array<{ at?: string; time?: string; operation?: string; op?: string }>
    | undefined;
  const entries = Array.isArray(audit) ? audit : (audit?.entries ?? []);
  for (const e of entries.slice(-500)) {
    const at = e.at ?? e.time;
    if (at) out.push({ at, kind: 'operator', label: e.operation ?? e.op ?? 'operator action' });
  }
  return out;
}
