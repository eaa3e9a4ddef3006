import { z } from 'zod';
import { operation } from './operation';

const WorkerStateSchema = z.enum(['stopped', 'starting', 'running', 'draining', 'backoff', 'crashed']);
const SlotsSchema = z.object({ used: z.number().int(), available: z.number().int() });

/** One worker process of a scaled-out worker. */
export const WorkerProcessStatusSchema = z.object({
  index: z.number().int(),
  state: WorkerStateSchema,
  pid: z.number().int().optional(),
  restarts: z.number().int(),
  startedAt: z.string().optional(),
  lastHeartbeat: z.string().optional(),
  polling: z.boolean(),
  activitySlots: SlotsSchema.optional(),
  workflowSlots: SlotsSchema.optional(),
  nextRestartAt: z.string().optional(),
  lastError: z.string().optional(),
});
export type WorkerProcessStatus = z.infer<typeof WorkerProcessStatusSchema>;

/** The worker as a whole (the first process's pid; counts and slots summed) plus each process. */
export const WorkerStatusSchema = z.object({
  state: WorkerStateSchema,
  pid: z.number().int().optional(),
  restarts: z.number().int(),
  startedAt: z.string().optional(),
  lastHeartbeat: z.string().optional(),
  polling: z.boolean(),
  taskQueue: z.string(),
  activitySlots: z.object({ used: z.number().int(), available: z.number().int() }).optional(),
  workflowSlots: z.object({ used: z.number().int(), available: z.number().int() }).optional(),
  nextRestartAt: z.string().optional(),
  lastError: z.string().optional(),
  /** How many processes are wanted, and each one's state. */
  desiredProcesses: z.number().int().optional(),
  processes: z.array(WorkerProcessStatusSchema).optional(),
});
export type WorkerStatus = z.infer<typeof WorkerStatusSchema>;

const empty = z.object({}).strict();

export const workerOperations = {
  'worker.status': operation(empty, 'reads').returns<WorkerStatus>(),
  'worker.start': operation(empty, 'writes').returns<WorkerStatus>(),
  'worker.stop': operation(empty, 'writes').returns<WorkerStatus>(),
  /** Runs N worker processes: more start at once, the surplus drain (finish in-flight work) and stop. */
  'worker.scale': operation(
    z.object({ processes: z.number().int().min(1).max(16) }).strict(),
    'writes',
  ).returns<WorkerStatus>(),
  /** Keeps the LLM endpoint's API key in the secret store (never in settings.json); empty removes it. */
  'worker.setLlmApiKey': operation(z.object({ apiKey: z.string().max(4096) }).strict(), 'writes').returns<{
    stored: boolean;
    store: string;
  }>(),
};

export const workerEvents = {
  'worker.status': WorkerStatusSchema,
};
