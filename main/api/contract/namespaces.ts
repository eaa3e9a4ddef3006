// Temporal namespaces of the stack in force: list with state and retention, describe, create, update retention.
import { z } from 'zod';
import { operation } from './operation';

export const NamespaceNameSchema = z
  .string()
  .min(2, 'A namespace name has at least 2 characters')
  .max(255)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'Letters, digits, dot, dash and underscore only, starting with a letter or digit',
  );

const retentionHours = z
  .number()
  .int('Retention is a whole number of hours')
  .min(24, 'Temporal keeps closed workflows at least 24 hours (1 day)')
  .max(87_600, 'At most 87600 hours (10 years)');

export const NamespaceSchema = z.object({
  name: z.string(),
  id: z.string(),
  state: z.enum(['registered', 'deprecated', 'deleted', 'unknown']),
  retentionHours: z.number(),
  description: z.string(),
  ownerEmail: z.string(),
  /** The namespace the console's settings (or the profile) name: the worker polls it, cycles run in it. */
  inUse: z.boolean(),
});
export type Namespace = z.infer<typeof NamespaceSchema>;

export const namespaceOperations = {
  'namespaces.list': operation(z.object({}).strict(), 'reads').returns<Namespace[]>(),
  'namespaces.describe': operation(
    z.object({ name: NamespaceNameSchema }).strict(),
    'reads',
  ).returns<Namespace>(),
  'namespaces.create': operation(
    z
      .object({
        name: NamespaceNameSchema,
        retentionHours,
        description: z.string().max(1000).default(''),
        ownerEmail: z
          .union([z.literal(''), z.email('Write an e-mail address, or leave it empty')])
          .default(''),
      })
      .strict(),
    'writes',
  ).returns<Namespace>(),
  'namespaces.update': operation(
    z
      .object({
        name: NamespaceNameSchema,
        retentionHours: retentionHours.optional(),
        description: z.string().max(1000).optional(),
      })
      .strict()
      .refine((v) => v.retentionHours !== undefined || v.description !== undefined, {
        message: 'Give a retention or a description to change',
        path: ['retentionHours'],
      }),
    'writes',
  ).returns<Namespace>(),
};
