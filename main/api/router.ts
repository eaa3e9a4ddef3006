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

/** Sees every write once it is settled (refused by the guard, failed or done): the audit trail plugs in here. */
export type WriteObserver = (
  op: OperationName,
  input: unknown,
  outcome: { ok: true } | { ok: false; refused: boolean; error: OpsErrorShape },
  durationMs: number,
) => void;

/** Sends a call to another console (the CLI to a running one); undefined when none runs: handled here. */
export type Forwarder = (op: string, input: unknown) => Promise<CallResult | undefined>;

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
  private observer: WriteObserver | undefined;
  private forwarder: Forwarder | undefined;
  readonly events = new EventBus();

  register(handlers: Handlers): this {
    Object.assign(this.handlers, handlers);
    return this;
  }

  setWriteGuard(guard: WriteGuard | undefined): void {
    this.guard = guard;
  }

  setWriteObserver(observer: WriteObserver | undefined): void {
    this.observer = observer;
  }

  setForwarder(forwarder: Forwarder | undefined): void {
    this.forwarder = forwarder;
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
    const forwarded = await this.forwarder?.(name, rawInput);
    if (forwarded?.ok) return forwarded.result as OpOutput<K>;
    if (forwarded) {
      const { code, message, hint, details } = forwarded.error;
      throw new OpsError(code, message, hint, details);
    }
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
    if (!op.writes) return (await handler(parsed.data as never)) as OpOutput<K>;
    const started = performance.now();
    let refused = true;
    try {
      this.guard?.(name, parsed.data);
      refused = false;
      const result = (await handler(parsed.data as never)) as OpOutput<K>;
      this.observe(name, parsed.data, { ok: true }, started);
      return result;
    } catch (err) {
      this.observe(name, parsed.data, { ok: false, refused, error: toErrorShape(err) }, started);
      throw err;
    }
  }

  private observe(
    name: OperationName,
    input: unknown,
    outcome: Parameters<WriteObserver>[2],
    started: number,
  ): void {
    try {
      this.observer?.(name, input, outcome, Math.round(performance.now() - started));
    } catch {
      // The audit store failing must not turn a done action into an error; the store logs it.
    }
  }
}
