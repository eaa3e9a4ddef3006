// The router: validates input once, runs the handler, turns every failure into a typed error.
import { OpsError, toErrorShape, type OpsErrorShape } from './errors';
import { invalidInputError } from './validation-issues';
import {
  operations,
  type EventName,
  type EventPayload,
  type OperationName,
  type OpOutput,
  type OpParsedInput,
} from './contract';

/** Who asked: the transport it came through, and `scheduler` for the console's own scheduled jobs. */
export interface Caller {
  via?: string;
  actor?: 'operator' | 'scheduler';
}

/** What a handler learns besides its input. */
export interface OperationContext {
  caller: Caller;
  /**
   * For an operation with a writing probe that this input asks for: whether it may run, and if not, why (a
   * read-only profile). Undefined when the operation has no probe or this input does not ask for it.
   */
  probe?: { allowed: true } | { allowed: false; reason: string };
}

export type Handler<K extends OperationName> = (
  input: OpParsedInput<K>,
  context: OperationContext,
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
  caller: Caller,
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
  async call(name: string, rawInput: unknown, caller: Caller = {}): Promise<CallResult> {
    try {
      return { ok: true, result: await this.invoke(name, rawInput, caller) };
    } catch (err) {
      return { ok: false, error: toErrorShape(err) };
    }
  }

  /**
   * Like call, but returns the typed result or throws an OpsError. A write is audited however it ends:
   * refused for its input or by the guard, failed, or done.
   */
  async invoke<K extends OperationName>(
    name: K | string,
    rawInput: unknown,
    caller: Caller = {},
  ): Promise<OpOutput<K>> {
    const forwarded = await this.forwarder?.(name, rawInput);
    if (forwarded?.ok) return forwarded.result as OpOutput<K>;
    if (forwarded) {
      const { code, message, hint, details } = forwarded.error;
      throw new OpsError(code, message, hint, details);
    }
    if (!this.isOperation(name)) {
      throw new OpsError(
        'UNKNOWN_OPERATION',
        `There is no operation named "${String(name).slice(0, 200)}".`,
        'Check the operation name against main/api/contract.',
      );
    }
    const op = operations[name];
    const started = performance.now();
    const parsed = op.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      const error = invalidInputError(name, op.input, parsed.error, rawInput ?? {});
      if (op.effect === 'writes')
        this.observe(name, rawInput, { ok: false, refused: true, error: error.toShape() }, started, caller);
      throw error;
    }
    const handler = this.handlers[name] as Handler<OperationName> | undefined;
    if (!handler) {
      throw new OpsError(
        'NOT_SUPPORTED',
        `${name} is not available in this console.`,
        'This build or provider does not offer it.',
      );
    }
    const input = parsed.data as never;
    if (op.effect === 'reads') {
      const probe = op.probe as { when(input: unknown): boolean } | undefined;
      if (!probe?.when(input)) return (await handler(input, { caller })) as OpOutput<K>;
      // A reading operation whose probe writes: it runs only where a write would be allowed, and is then audited.
      try {
        this.guard?.(name, input);
      } catch (err) {
        const shape = toErrorShape(err);
        const profile = (shape.details as { profile?: string } | undefined)?.profile;
        const reason =
          shape.code === 'READ_ONLY'
            ? `the profile in force${profile ? ` ("${profile}")` : ''} is read-only`
            : shape.message;
        return (await handler(input, { caller, probe: { allowed: false, reason } })) as OpOutput<K>;
      }
    }
    let refused = true;
    try {
      if (op.effect === 'writes') this.guard?.(name, input);
      refused = false;
      const context: OperationContext =
        op.effect === 'reads' ? { caller, probe: { allowed: true } } : { caller };
      const result = (await handler(input, context)) as OpOutput<K>;
      this.observe(name, input, { ok: true }, started, caller);
      return result;
    } catch (err) {
      this.observe(name, input, { ok: false, refused, error: toErrorShape(err) }, started, caller);
      throw err;
    }
  }

  private observe(
    name: OperationName,
    input: unknown,
    outcome: Parameters<WriteObserver>[2],
    started: number,
    caller: Caller,
  ): void {
    try {
      this.observer?.(name, input, outcome, Math.round(performance.now() - started), caller);
    } catch {
      // The audit store failing must not turn a done action into an error; the store logs it.
    }
  }
}
