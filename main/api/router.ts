// The router: validates input once, runs the handler, turns every failure into a typed error.
import { z } from 'zod';
import { OpsError, toErrorShape, type OpsErrorShape } from './errors';
import {
  operations,
  type EventName,
  type EventPayload,
  type OperationName,
  type OpOutput,
  type OpParsedInput,
} from './contract';

export type Handler<K extends OperationName> = (
  input: OpParsedInput<K>,
) => Promise<OpOutput<K>> | OpOutput<K>;
export type Handlers = { [K in OperationName]?: Handler<K> };

export type CallResult = { ok: true; result: unknown } | { ok: false; error: OpsErrorShape };

/** Runs before a write is handled; throws an OpsError to refuse it (read-only mode, for example). */
export type WriteGuard = (op: OperationName, input: unknown) => void;

export type EventListener = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

export class EventBus {
  private readonly listeners = new Set<EventListener>();

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners) {
      try {
        listener(name, payload);
      } catch {
        // One failing subscriber (a closed socket) must not stop the others.
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

export class Router {
  private readonly handlers: Handlers = {};
  private guard: WriteGuard | undefined;
  readonly events = new EventBus();

  register(handlers: Handlers): this {
    Object.assign(this.handlers, handlers);
    return this;
  }

  setWriteGuard(guard: WriteGuard | undefined): void {
    this.guard = guard;
  }

  isOperation(name: string): name is OperationName {
    return Object.prototype.hasOwnProperty.call(operations, name);
  }

  /** Calls an operation by name with untrusted input; never throws. */
  async call(name: string, rawInput: unknown): Promise<CallResult> {
    try {
      return { ok: true, result: await this.invoke(name, rawInput) };
    } catch (err) {
      return { ok: false, error: toErrorShape(err) };
    }
  }

  /** Like call, but returns the typed result or throws an OpsError. */
  async invoke<K extends OperationName>(name: K | string, rawInput: unknown): Promise<OpOutput<K>> {
    if (!this.isOperation(name)) {
      throw new OpsError(
        'UNKNOWN_OPERATION',
        `There is no operation named "${String(name)}".`,
        'Check the operation name against main/api/contract.',
      );
    }
    const op = operations[name];
    const parsed = op.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      throw new OpsError(
        'INVALID_INPUT',
        `Invalid input for ${name}: ${describeIssues(parsed.error)}`,
        'Correct the fields named and try again.',
        {
          issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
        },
      );
    }
    const handler = this.handlers[name] as Handler<OperationName> | undefined;
    if (!handler) {
      throw new OpsError(
        'NOT_SUPPORTED',
        `${name} is not available in this console.`,
        'This build or provider does not offer it.',
      );
    }
    if (op.writes && this.guard) this.guard(name, parsed.data);
    return (await handler(parsed.data as never)) as OpOutput<K>;
  }
}
