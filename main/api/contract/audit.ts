// The audit trail: every operator action that changes something, with who, where, what and how it ended.
import { z } from 'zod';
import { operation } from './operation';
import { startNotAfterEnd } from './ranges';

export const AuditOutcomeSchema = z.enum(['ok', 'refused', 'failed']);

export const AuditEntrySchema = z.object({
  id: z.string(),
  time: z.string(),
  /** The profile in force; null: the embedded stack without a profile. */
  profile: z.string().nullable(),
  production: z.boolean(),
  operator: z.string(),
  /** Where the action came from: desktop, browser or cli. */
  via: z.string(),
  op: z.string(),
  /** The input with secrets redacted and long values shortened. */
  input: z.unknown(),
  outcome: AuditOutcomeSchema,
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  durationMs: z.number(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const AuditFilterSchema = z
  .object({
    op: z.string().max(100).optional(),
    profile: z.string().max(64).optional(),
    operator: z.string().max(100).optional(),
    outcome: AuditOutcomeSchema.optional(),
    since: z.string().datetime({ offset: true }).optional(),
    until: z.string().datetime({ offset: true }).optional(),
    /** Free text matched against the op name and the input summary. */
    text: z.string().max(200).optional(),
  })
  .strict();
export type AuditFilter = z.infer<typeof AuditFilterSchema>;

export const auditOperations = {
  /** Newest first. */
  'audit.list': operation(
    AuditFilterSchema.extend({ limit: z.number().int().min(1).max(10_000).default(200) })
      .strict()
      .superRefine(startNotAfterEnd('since', 'until')),
    'reads',
  ).returns<{ entries: AuditEntry[]; total: number }>(),
  'audit.export': operation(
    AuditFilterSchema.extend({ format: z.enum(['jsonl', 'csv']).default('jsonl') })
      .strict()
      .superRefine(startNotAfterEnd('since', 'until')),
    'reads',
  ).returns<{ filename: string; content: string; count: number }>(),
};

export const auditEvents = {
  'audit.appended': AuditEntrySchema,
};
