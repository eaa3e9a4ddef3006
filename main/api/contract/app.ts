import { z } from 'zod';
import { operation } from './operation';

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  mode: z.enum(['desktop', 'browser', 'cli']),
  platform: z.string(),
  node: z.string(),
  dataDir: z.string(),
  pid: z.number(),
  /** Where shipped files are read: a packaged app's resources folder, or the source tree. */
  resources: z.object({ packaged: z.boolean(), dir: z.string() }).optional(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const LogLevelSchema = z.enum(['debug', 'info', 'warn', 'error']);
export const LogLineSchema = z.object({
  seq: z.number().int(),
  ts: z.string(),
  source: z.string(),
  level: LogLevelSchema,
  message: z.string(),
});
export type LogLine = z.infer<typeof LogLineSchema>;

export const appOperations = {
  'app.info': operation(z.object({}).strict(), 'reads').returns<AppInfo>(),
  'logs.recent': operation(
    z
      .object({
        source: z.string().min(1).optional(),
        limit: z.number().int().min(1).max(20_000).default(500),
      })
      .strict(),
    'reads',
  ).returns<LogLine[]>(),
};

export const appEvents = {
  log: LogLineSchema,
};
