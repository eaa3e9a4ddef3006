import { z } from 'zod';
import { operation } from './operation';

const port = z
  .number()
  .int()
  .min(1024, 'Use a port from 1024 to 65535')
  .max(65535, 'Use a port from 1024 to 65535');

export const TemporalSettingsSchema = z
  .object({
    host: z
      .string()
      .regex(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, 'Write the address as host:port, for example 127.0.0.1:7233'),
    namespace: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[A-Za-z0-9._-]+$/, 'Letters, digits, dot, dash and underscore only'),
    taskQueue: z.string().min(1).max(255),
    activityTimeoutS: z.number().int().min(1).max(86_400),
    workflowTimeoutS: z.number().int().min(60).max(31_536_000),
    namespaceRetentionH: z.number().int().min(24).max(8_760),
  })
  .strict();

/** The Docker provider: which engine, which images (pinned), and how containers reach each other. */
export const DockerSettingsSchema = z
  .object({
    /** Engine socket; empty or absent means DOCKER_HOST, then the platform's usual sockets. */
    socketPath: z.string().optional(),
    images: z
      .object({
        appPostgres: z.string().min(1),
        temporalPostgres: z.string().min(1),
        temporal: z.string().min(1),
        ui: z.string().min(1),
      })
      .strict(),
    /** bridge: a private network with ports published on 127.0.0.1; host: the services bind 127.0.0.1 directly. */
    network: z.enum(['bridge', 'host']),
  })
  .strict();

export const ArchivingSettingsSchema = z
  .object({
    enabled: z.boolean(),
    /** A segment is archived at least this often even when little is written (archive_timeout). */
    segmentTimeoutS: z.number().int().min(5).max(3_600),
    /** Base backups while the console runs; 0 takes them only on request. */
    baseBackupEveryH: z
      .number()
      .min(0)
      .max(24 * 30),
    /** Base backups kept per cluster; every WAL segment a kept one needs is kept too. */
    keepBaseBackups: z.number().int().min(1).max(100),
  })
  .strict();
export type ArchivingSettings = z.infer<typeof ArchivingSettingsSchema>;

export const StackSettingsSchema = z
  .object({
    provider: z.enum(['local', 'docker', 'attached']),
    ports: z
      .object({ appPostgres: port, temporalPostgres: port, temporal: port, temporalUi: port })
      .strict()
      .refine((p) => new Set(Object.values(p)).size === 4, 'Every service needs its own port'),
    enableUi: z.boolean(),
    /** Folder for the clusters' data and the services' logs; empty means the console's data folder. */
    dataDir: z.string(),
    /** Overrides for where binaries are found; empty means the provisioned folder, then PATH. */
    binaries: z
      .object({
        postgresBinDir: z.string(),
        temporalServer: z.string(),
        temporalSqlTool: z.string(),
        temporalUiServer: z.string(),
      })
      .strict(),
    startOnLaunch: z.boolean(),
    /** The services run below the console's priority, so its views stay live when the stack saturates the machine. */
    servicesYield: z.boolean(),
    docker: DockerSettingsSchema.optional(),
    /** Continuous WAL archiving of both clusters for point-in-time recovery (local and Docker providers). */
    archiving: ArchivingSettingsSchema.optional(),
  })
  .strict();

export const WorkerSettingsSchema = z
  .object({
    enabled: z.boolean(),
    autoApprove: z.boolean(),
    maxConcurrentActivities: z.number().int().min(1).max(1000),
    /** How many worker processes the supervisor runs (scale out); changeable while running. */
    processes: z.number().int().min(1).max(16),
    /** Base of the retry delays of the cycle's retry policies (LLM exponential, database linear, email fixed). */
    retryBaseMs: z.number().int().min(10).max(600_000),
    /** How long a phase's database work waits for a lock before the attempt fails and is retried. */
    dbLockTimeoutMs: z.number().int().min(100).max(600_000),
    /** OpenAI-compatible endpoint for Planning; empty uses the deterministic rule-based generator. */
    llmBaseUrl: z.union([z.literal(''), z.url('Write a full URL, for example http://127.0.0.1:11434/v1')]),
    llmModel: z.string().max(200),
    /** HTTP endpoint that delivers outbox messages (RFIs, notices); empty keeps them queued in the outbox. */
    mailWebhook: z.union([z.literal(''), z.url('Write a full URL, for example http://127.0.0.1:8025/send')]),
    /** Resume after manual intervention: a phase that fails for good waits for the operator (off: the cycle ends). */
    waitForOperator: z.boolean(),
    /** How long a cycle waits for the operator before it is abandoned (compensated), in hours. */
    attentionTimeoutH: z
      .number()
      .min(0.01, 'At least 0.01 hours')
      .max(24 * 90, 'At most 2160 hours (90 days)'),
    /** Remind when a cycle has waited longer than this for a person (scope approval, RFI answers, results); 0: never. */
    waitingReminderMin: z
      .number()
      .min(0, 'Use 0 (no reminder) or more minutes')
      .max(60 * 24 * 30, 'At most 30 days'),
  })
  .strict();

/** The console's log files under <data folder>/logs: each rotated at this size, this many old parts kept. */
export const LogSettingsSchema = z
  .object({
    maxFileMb: z.number().int().min(1, 'At least 1 MB').max(10_240, 'At most 10 GB'),
    keepFiles: z.number().int().min(1, 'Keep at least 1 old file').max(100, 'Keep at most 100 old files'),
  })
  .strict();

export const SettingsSchema = z
  .object({
    theme: z.enum(['system', 'light', 'dark']),
    temporal: TemporalSettingsSchema,
    stack: StackSettingsSchema,
    worker: WorkerSettingsSchema,
    logs: LogSettingsSchema,
  })
  .strict();
export type Settings = z.infer<typeof SettingsSchema>;

/** A partial update: each section may be given in part. */
export const SettingsPatchSchema = z
  .object({
    theme: SettingsSchema.shape.theme.optional(),
    temporal: TemporalSettingsSchema.partial().optional(),
    stack: z
      .object({
        provider: StackSettingsSchema.shape.provider.optional(),
        ports: z
          .object({
            appPostgres: port.optional(),
            temporalPostgres: port.optional(),
            temporal: port.optional(),
            temporalUi: port.optional(),
          })
          .strict()
          .optional(),
        enableUi: z.boolean().optional(),
        dataDir: z.string().optional(),
        binaries: StackSettingsSchema.shape.binaries.partial().optional(),
        startOnLaunch: z.boolean().optional(),
        servicesYield: z.boolean().optional(),
        archiving: ArchivingSettingsSchema.partial().optional(),
        docker: z
          .object({
            socketPath: z.string().optional(),
            images: DockerSettingsSchema.shape.images.partial().optional(),
            network: DockerSettingsSchema.shape.network.optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    worker: WorkerSettingsSchema.partial().optional(),
    logs: LogSettingsSchema.partial().optional(),
  })
  .strict();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

export const SettingsViewSchema = z.object({
  settings: SettingsSchema,
  /** Dotted paths whose value comes from an environment variable, with the variable's name. */
  overrides: z.array(z.object({ path: z.string(), variable: z.string() })),
  file: z.string(),
  /** Where secrets are kept, and why not in the system keychain when they are not. */
  secretStore: z
    .object({
      kind: z.enum(['file-0600', 'safe-storage']),
      notice: z.string().optional(),
      /** Cluster passwords missing from the store although their cluster exists (reset them in Settings). */
      lost: z.array(z.enum(['app-postgres', 'temporal-postgres'])),
    })
    .optional(),
});
export type SettingsView = z.infer<typeof SettingsViewSchema>;

export const settingsOperations = {
  'settings.get': operation(z.object({}).strict(), 'reads').returns<SettingsView>(),
  'settings.update': operation(SettingsPatchSchema, 'writes').returns<SettingsView>(),
};

export const settingsEvents = {
  'settings.changed': SettingsViewSchema,
};
