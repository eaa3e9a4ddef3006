// The log files on disk: which there are, and pages of one (backwards to scroll up or search, forwards to follow).
import { z } from 'zod';
import { operation } from './operation';
import { LogLevelSchema } from './app';

export const LogFileSchema = z.object({
  /** app-postgres, temporal-postgres, temporal, temporal-ui, worker-N or console. */
  name: z.string(),
  file: z.string(),
  size: z.number().int(),
  modifiedAt: z.string(),
  rotated: z.array(z.object({ part: z.number().int(), size: z.number().int() })),
});
export type LogFile = z.infer<typeof LogFileSchema>;

export const LogEntrySchema = z.object({
  offset: z.number().int(),
  time: z.string().optional(),
  level: LogLevelSchema,
  message: z.string(),
  /** The rest of the line (a JSON line's other fields), folded away until asked for. */
  rest: z.string().optional(),
});
export type LogEntry = z.infer<typeof LogEntrySchema>;

export const LogPageSchema = z.object({
  name: z.string(),
  part: z.number().int(),
  lines: z.array(LogEntrySchema),
  /** Pass as `before` for the page above. */
  start: z.number().int(),
  /** Pass as `after` to follow. */
  end: z.number().int(),
  atStart: z.boolean(),
  size: z.number().int(),
  scannedBytes: z.number().int(),
  /** Following: the file was rotated since `after`; the lines start again at its beginning. */
  rotated: z.boolean().optional(),
});
export type LogPage = z.infer<typeof LogPageSchema>;

export const LogReadInputSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,40}$/, 'A log name such as temporal, app-postgres, worker-0 or console'),
    /** 0: the current file; 1, 2, …: rotated parts, newest first. */
    part: z.number().int().min(0).max(100).default(0),
    before: z.number().int().min(0).optional(),
    after: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(5_000).default(200),
    levels: z.array(LogLevelSchema).max(4).optional(),
    text: z.string().max(200).optional(),
    /** Lines from this moment on (an ISO time). */
    since: z.iso.datetime({ offset: true }).optional(),
    /** How much a backwards page reads at most before it returns what it found (a search continues from `start`). */
    maxScanMb: z.number().int().min(1).max(4_096).default(64),
  })
  .strict()
  .refine((v) => v.before === undefined || v.after === undefined, {
    message: 'Give before (page up) or after (follow), not both',
    path: ['after'],
  });

export const logOperations = {
  'logs.files': operation(z.object({}).strict(), 'reads').returns<LogFile[]>(),
  'logs.read': operation(LogReadInputSchema, 'reads').returns<LogPage>(),
};
