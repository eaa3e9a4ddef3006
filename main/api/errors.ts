// Errors are values with a code, a message for the operator, and a hint of what to do (STYLE.md).
import { z } from 'zod';

export const ErrorCodeSchema = z.enum([
  'INVALID_INPUT',
  'UNKNOWN_OPERATION',
  'INTERNAL',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'CONFLICT',
  'PORT_IN_USE',
  'BINARY_MISSING',
  'STACK_FAILED',
  'NOT_SUPPORTED',
  'DOCKER_UNAVAILABLE',
  'UNAVAILABLE',
  'READ_ONLY',
  'TIMEOUT',
  'BACKUP_INVALID',
  'BACKUP_INCOMPATIBLE',
  'NO_SPACE',
  'SECRET_LOST',
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const OpsErrorShapeSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  hint: z.string(),
  details: z.unknown().optional(),
});
export type OpsErrorShape = z.infer<typeof OpsErrorShapeSchema>;

export class OpsError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, hint: string, details?: unknown) {
    super(message);
    this.name = 'OpsError';
    this.code = code;
    this.hint = hint;
    this.details = details;
  }

  toShape(): OpsErrorShape {
    const shape: OpsErrorShape = { code: this.code, message: this.message, hint: this.hint };
    if (this.details !== undefined) shape.details = this.details;
    return shape;
  }

  static from(shape: OpsErrorShape): OpsError {
    return new OpsError(shape.code, shape.message, shape.hint, shape.details);
  }
}

/** Any thrown value as the shape that crosses a process boundary. */
export function toErrorShape(err: unknown): OpsErrorShape {
  if (err instanceof OpsError) return err.toShape();
  const message = err instanceof Error ? err.message : String(err);
  return {
    code: 'INTERNAL',
    message: `Unexpected failure: ${message}`,
    hint: 'See the log drawer for details; if it repeats, report it with the log.',
  };
}
