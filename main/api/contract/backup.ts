// Backup sets of the app DB and the Temporal DB: the manifest, the jobs that make, verify and restore them.
import { z } from 'zod';
import { operation } from './operation';

export const BackupKindSchema = z.enum(['app', 'temporal']);
export type BackupKind = z.infer<typeof BackupKindSchema>;

export const TableChecksumSchema = z.object({
  schema: z.string(),
  name: z.string(),
  /** pg_dump's id for the table's data entry (its file in the directory archive). */
  dumpId: z.number().int(),
  rows: z.number().int(),
  /** Hash of the table's COPY text, in the order pg_dump read it: "xxh64:<hex>", or a bare sha256 (older sets). */
  checksum: z.string(),
});
export type TableChecksum = z.infer<typeof TableChecksumSchema>;

export const BackupFileSchema = z.object({
  /** Path relative to the set's folder. */
  path: z.string(),
  size: z.number().int(),
  sha256: z.string(),
});
export type BackupFile = z.infer<typeof BackupFileSchema>;

export const DatabaseBackupSchema = z.object({
  kind: BackupKindSchema,
  database: z.string(),
  /** Folder of the directory-format archive, relative to the set. */
  archive: z.string(),
  serverVersion: z.string(),
  serverMajor: z.number().int(),
  /** App DB: the migrations applied (ops_schema_migrations), the last one is the migration version. */
  appMigrations: z.array(z.string()).optional(),
  appMigrationVersion: z.string().optional(),
  /** Temporal DB: schema_version.curr_version of this database. */
  temporalSchemaVersion: z.string().optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
  bytes: z.number().int(),
  tables: z.array(TableChecksumSchema),
  files: z.array(BackupFileSchema),
});
export type DatabaseBackup = z.infer<typeof DatabaseBackupSchema>;

export const BackupManifestSchema = z.object({
  format: z.literal('ops-console-backup'),
  formatVersion: z.literal(1),
  id: z.string(),
  createdAt: z.string(),
  finishedAt: z.string(),
  consoleVersion: z.string(),
  provider: z.string(),
  kinds: z.array(BackupKindSchema).min(1),
  consistency: z.object({
    /** The worker was drained and held for the whole backup: the pair is from one quiet moment. */
    quiesced: z.boolean(),
    /** Without quiescing: the time between the first and the last database's snapshot. */
    skewMs: z.number().int(),
    note: z.string(),
  }),
  databases: z.array(DatabaseBackupSchema),
  label: z.string().optional(),
});
export type BackupManifest = z.infer<typeof BackupManifestSchema>;

export const VerificationSchema = z.object({
  ok: z.boolean(),
  at: z.string(),
  trialRestore: z.boolean(),
  problems: z.array(z.string()),
});
export type Verification = z.infer<typeof VerificationSchema>;

export const BackupSetSummarySchema = z.object({
  id: z.string(),
  path: z.string(),
  createdAt: z.string(),
  kinds: z.array(BackupKindSchema),
  databases: z.array(z.string()),
  bytes: z.number().int(),
  quiesced: z.boolean(),
  label: z.string().optional(),
  verification: VerificationSchema.optional(),
});
export type BackupSetSummary = z.infer<typeof BackupSetSummarySchema>;

export const BackupJobSchema = z.object({
  id: z.string(),
  action: z.enum(['create', 'verify', 'restore']),
  state: z.enum(['running', 'done', 'failed', 'cancelled']),
  step: z.string(),
  database: z.string().optional(),
  tablesDone: z.number().int(),
  tablesTotal: z.number().int(),
  bytesDone: z.number(),
  bytesTotal: z.number(),
  message: z.string().optional(),
  setId: z.string().optional(),
  startedAt: z.string(),
  error: z.object({ code: z.string(), message: z.string(), hint: z.string() }).optional(),
});
export type BackupJob = z.infer<typeof BackupJobSchema>;

export const ReconcileItemSchema = z.object({
  workflowId: z.string(),
  cycleId: z.number().int().optional(),
  problem: z.enum(['unknown-to-temporal', 'closed-in-temporal', 'untracked-workflow']),
  detail: z.string(),
  action: z.string(),
  /** For a cycle to restart: the phases already completed in the app DB, to skip. */
  lastCompletedPhase: z.string().optional(),
  skipPhases: z.array(z.string()).optional(),
  reportIds: z.array(z.number().int()).optional(),
});
export type ReconcileItem = z.infer<typeof ReconcileItemSchema>;

export const ReconcileReportSchema = z.object({
  at: z.string(),
  temporalReachable: z.boolean(),
  items: z.array(ReconcileItemSchema),
  summary: z.string(),
});
export type ReconcileReport = z.infer<typeof ReconcileReportSchema>;

export const RestorePlanSchema = z.object({
  setId: z.string(),
  kinds: z.array(BackupKindSchema),
  replaces: z.array(
    z.object({
      kind: BackupKindSchema,
      database: z.string(),
      currentSizeBytes: z.number().int(),
      keptAs: z.string(),
      backupTakenAt: z.string(),
    }),
  ),
  stops: z.array(z.string()),
  refusals: z.array(z.string()),
  summary: z.string(),
});
export type RestorePlan = z.infer<typeof RestorePlanSchema>;

export const RestoreResultSchema = z.object({
  setId: z.string(),
  restored: z.array(z.object({ database: z.string(), keptOldAs: z.string() })),
  checksumsMatched: z.number().int(),
  /** Migrations of this console the restored app DB did not have yet, applied before the swap. */
  migrationsApplied: z.array(z.string()),
  validation: z.string(),
  reconcile: ReconcileReportSchema.optional(),
});
export type RestoreResult = z.infer<typeof RestoreResultSchema>;

export const BackupScheduleSchema = z.object({
  enabled: z.boolean(),
  everyHours: z
    .number()
    .min(0.01)
    .max(24 * 31),
  kinds: z.array(BackupKindSchema).min(1),
  keepLast: z.number().int().min(1).max(1000).optional(),
  keepDays: z.number().min(0.01).max(3650).optional(),
});
export type BackupSchedule = z.infer<typeof BackupScheduleSchema>;

const kinds = z.array(BackupKindSchema).min(1).default(['app', 'temporal']);
const setId = z.string().regex(/^[A-Za-z0-9._-]+$/, 'A set id is a folder name');

export const backupOperations = {
  'backups.list': operation(z.object({}).strict(), 'reads').returns<BackupSetSummary[]>(),
  'backups.create': operation(
    z
      .object({
        kinds,
        /** Drain the worker for the duration so the pair is consistent (default on). */
        quiesce: z.boolean().default(true),
        label: z.string().max(200).optional(),
        jobs: z.number().int().min(1).max(16).default(2),
      })
      .strict(),
    'writes',
  ).returns<BackupSetSummary>(),
  'backups.verify': operation(
    z.object({ setId, trialRestore: z.boolean().default(false) }).strict(),
    'writes',
  ).returns<Verification>(),
  'backups.plan': operation(
    z.object({ setId, kinds: z.array(BackupKindSchema).min(1).optional() }).strict(),
    'reads',
  ).returns<RestorePlan>(),
  'backups.restore': operation(
    z
      .object({
        setId,
        kinds: z.array(BackupKindSchema).min(1).optional(),
        /** The operator typed the name of each database to be replaced. */
        confirm: z.array(z.string()).min(1),
      })
      .strict(),
    'writes',
  ).returns<RestoreResult>(),
  'backups.cancel': operation(z.object({ jobId: z.string() }).strict(), 'writes').returns<{
    cancelled: boolean;
  }>(),
  'backups.jobs': operation(z.object({}).strict(), 'reads').returns<BackupJob[]>(),
  'backups.reconcile': operation(z.object({}).strict(), 'reads').returns<ReconcileReport>(),
  'backups.leftovers': operation(z.object({}).strict(), 'reads').returns<
    Array<{ kind: BackupKind; database: string; sizeBytes: number }>
  >(),
  /** Unfinished sets (<id>.partial) a killed backup left behind; never restorable. */
  'backups.partials': operation(z.object({}).strict(), 'reads').returns<
    Array<{ id: string; bytes: number }>
  >(),
  'backups.dropLeftover': operation(z.object({ database: z.string().min(1) }).strict(), 'writes').returns<{
    dropped: true;
  }>(),
  'backups.remove': operation(z.object({ setId }).strict(), 'writes').returns<{ removed: true }>(),
  'backups.schedule.get': operation(z.object({}).strict(), 'reads').returns<BackupSchedule>(),
  'backups.schedule.set': operation(BackupScheduleSchema, 'writes').returns<BackupSchedule>(),
  /** Removes the sets the schedule's retention (keep last N, keep days) no longer keeps; run by the scheduler. */
  'backups.applyRetention': operation(z.object({}).strict(), 'writes').returns<{ removed: string[] }>(),
};

export const backupEvents = {
  'backup.job': BackupJobSchema,
  'backup.sets': z.array(BackupSetSummarySchema),
  /** After the stack comes up: what the app DB and Temporal disagree about (a lost or restored database). */
  'backup.reconcile': ReconcileReportSchema,
};
