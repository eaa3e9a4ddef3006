import { z } from 'zod';
import { operation } from './operation';

export const WorkerStatusSchema = z.object({
  state: z.enum(['stopped', 'starting', 'running', 'draining', 'backoff', 'crashed']),
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
});
export type WorkerStatus = z.infer<typeof WorkerStatusSchema>;

const empty = z.object({}).strict();

export const workerOperations = {
  'worker.status': operation(empty).returns<WorkerStatus>(),
  'worker.start': operation(empty, { writes: true }).returns<WorkerStatus>(),
  'worker.stop': operation(empty, { writes: true }).returns<WorkerStatus>(),
};

export const workerEvents = {
  'worker.status': WorkerStatusSchema,
};
