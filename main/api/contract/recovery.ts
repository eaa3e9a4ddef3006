// Point-in-time recovery of both clusters to one moment: archiving health, base backups, timeline, recover.
import { z } from 'zod';
import { operation } from './operation';

export const ClusterIdSchema = z.enum(['app-postgres', 'temporal-postgres']);

export const ArchiveHealthSchema = z.object({
  cluster: ClusterIdSchema,
  enabled: z.boolean(),
  lastArchivedWal: z.string().optional(),
  lastArchivedAt: z.string().optional(),
  currentWal: z.string().optional(),
  /** Segments written but not archived yet. */
  lagSegments: z.number().int().optional(),
  failedCount: z.number().int(),
  lastFailedWal: z.string().optional(),
  lastFailedAt: z.string().optional(),
  archiveBytes: z.number(),
  segments: z.number().int(),
  oldestRecoverable: z.string().optional(),
  baseBackups: z.number().int(),
  problem: z.string().optional(),
});
export type ArchiveHealth = z.infer<typeof ArchiveHealthSchema>;

export const BaseBackupViewSchema = z.object({
  cluster: ClusterIdSchema,
  label: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  bytes: z.number(),
});

export const TimelineMarkSchema = z.object({
  at: z.string(),
  kind: z.enum(['cycle_started', 'phase_completed', 'compensation', 'base_backup', 'dump_set', 'operator']),
  label: z.string(),
  workflowId: z.string().optional(),
});
export type TimelineMark = z.infer<typeof TimelineMarkSchema>;

export const RecoveryTimelineSchema = z.object({
  now: z.string(),
  clusters: z.array(
    z.object({
      cluster: ClusterIdSchema,
      from: z.string().optional(),
      until: z.string().optional(),
      gaps: z.array(z.string()),
    }),
  ),
  baseBackups: z.array(BaseBackupViewSchema),
  marks: z.array(TimelineMarkSchema),
});
export type RecoveryTimeline = z.infer<typeof RecoveryTimelineSchema>;

export const RecoveryPlanSchema = z.object({
  to: z.string(),
  ok: z.boolean(),
  clusters: z.array(
    z.object({
      cluster: z.string(),
      ok: z.boolean(),
      reason: z.string().optional(),
      baseBackup: z.string().optional(),
      reachesUntil: z.string().optional(),
    }),
  ),
});
export type RecoveryPlan = z.infer<typeof RecoveryPlanSchema>;

export const RecoveryResultSchema = z.object({
  to: z.string(),
  clusters: z.array(
    z.object({ cluster: z.string(), reachedAt: z.string().optional(), oldDataDir: z.string() }),
  ),
  validation: z.string(),
  reconciliation: z.unknown().optional(),
});
export type RecoveryResult = z.infer<typeof RecoveryResultSchema>;

const moment = z
  .string()
  .refine(
    (s) => !Number.isNaN(Date.parse(s)),
    'Write the moment as an ISO date and time, for example 2026-11-25T14:02:59Z',
  );

const empty = z.object({}).strict();

export const recoveryOperations = {
  'recovery.status': operation(empty, 'reads').returns<ArchiveHealth[]>(),
  'recovery.baseBackup': operation(empty, 'writes').returns<z.infer<typeof BaseBackupViewSchema>[]>(),
  'recovery.timeline': operation(empty, 'reads').returns<RecoveryTimeline>(),
  'recovery.check': operation(z.object({ to: moment }).strict(), 'reads').returns<RecoveryPlan>(),
  'recovery.recover': operation(
    z
      .object({
        to: moment,
        inclusive: z.boolean().default(true),
        /** The operator confirmed that both databases will be replaced (the old folders are kept). */
        confirm: z.literal(true, {
          error: 'Confirm that both databases will be replaced: confirm must be true',
        }),
      })
      .strict(),
    'writes',
  ).returns<RecoveryResult>(),
};

export const RecoveryProgressSchema = z.object({
  step: z.string(),
  state: z.enum(['running', 'done', 'failed']),
  detail: z.string().optional(),
});

export const recoveryEvents = {
  'recovery.progress': RecoveryProgressSchema,
};
