// The ops client: one interface typed from the contract, over window.ops (Electron) or the WebSocket (browser mode).
import type { EventName, EventPayload, OperationName, OpInput, OpOutput } from '../../../main/api/contract';

export interface OpsFailure {
  code: string;
  message: string;
  hint: string;
  details?: unknown;
}

export class OpsCallError extends Error implements OpsFailure {
  constructor(
    readonly code: string,
    message: string,
    readonly hint: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'unauthorized';

type CallOutcome = { ok: true; result: unknown } | { ok: false; error: OpsFailure };
type RawListener = (name: string, payload: unknown) => void;

interface Transport {
  call(op: string, input: unknown): Promise<CallOutcome>;
  subscribe(listener: RawListener): () => void;
  focus(workflowIds: string[]): void;
}

interface DesktopBridge {
  call(op: string, input: unknown): Promise<CallOutcome>;
  subscribe(listener: RawListener): () => void;
  focus(workflowIds: string[]): void;
}

declare global {
  interface Window {
    ops?: DesktopBridge;
  }
}

/** The browser-mode transport: reconnects with backoff and tells the app when it is back (to re-sync). */
class WebSocketTransport implements Transport {
  private socket: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (outcome: CallOutcome) => void>();
  private readonly listeners = new Set<RawListener>();
  private backoffMs = 250;
  private opened: Promise<void> | undefined;
  private resolveOpened: (() => void) | undefined;
  private focused: string[] = [];

  constructor(
    private readonly url: string,
    private readonly onState: (state: ConnectionState) => void,
  ) {
    this.open();
  }

  private open(): void {
    this.opened = new Promise((resolve) => (this.resolveOpened = resolve));
    const socket = new WebSocket(this.url);
    let wasOpen = false;
    socket.onopen = () => {
      wasOpen = true;
      this.backoffMs = 250;
      // A new connection knows nothing of this window: it is told again which cycles the window shows.
      if (this.focused.length > 0) this.sendFocus();
      this.onState('connected');
      this.resolveOpened?.();
    };
    socket.onmessage = (message) => {
      const frame = JSON.parse(String(message.data)) as
        | ({ type: 'result'; id: number } & CallOutcome)
        | { type: 'events'; events: Array<{ name: string; payload: unknown }> };
      if (frame.type === 'events') {
        // One turn of the console's events, handled in this one task (so they are drawn in the same frame).
        for (const { name, payload } of frame.events)
          for (const listener of this.listeners) listener(name, payload);
        return;
      }
      const resolve = this.pending.get(frame.id);
      this.pending.delete(frame.id);
      resolve?.(frame);
    };
    socket.onclose = () => {
      for (const [id, resolve] of this.pending) {
        resolve({
          ok: false,
          error: {
            code: 'UNAVAILABLE',
            message: 'The connection to the console dropped.',
            hint: 'It reconnects by itself; try again in a moment.',
          },
        });
        this.pending.delete(id);
      }
      // A refusal before the socket ever opened is the token check failing.
      if (!wasOpen && this.backoffMs >= 4_000) this.onState('unauthorized');
      else this.onState('reconnecting');
      setTimeout(() => this.open(), this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, 8_000);
    };
    this.socket = socket;
  }

  async call(op: string, input: unknown): Promise<CallOutcome> {
    await this.opened;
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.socket?.send(JSON.stringify({ type: 'call', id, op, input }));
    });
  }

  subscribe(listener: RawListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  focus(workflowIds: string[]): void {
    this.focused = workflowIds;
    this.sendFocus();
  }

  private sendFocus(): void {
    if (this.socket?.readyState === WebSocket.OPEN)
      this.socket.send(JSON.stringify({ type: 'focus', workflowIds: this.focused }));
  }
}

const TOKEN_KEY = 'ops-console.token';

/**
 * The access token: taken from the address on the first load and removed from it at once (it would otherwise
 * sit in the address bar, in a copied link, and in history), then kept in this tab's sessionStorage, which is
 * scoped to this console's origin and port, so a reload keeps working and a copied address without it does not.
 * (A cookie would be sent to every port of 127.0.0.1, so to any other local server the browser visits.)
 */
function takeAccessToken(): string {
  const url = new URL(window.location.href);
  const fromAddress = url.searchParams.get('token');
  if (fromAddress) {
    window.sessionStorage.setItem(TOKEN_KEY, fromAddress);
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.toString());
  }
  return fromAddress ?? window.sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export class OpsClient {
  private readonly transport: Transport;
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  state: ConnectionState = 'connecting';
  readonly mode: 'desktop' | 'browser';

  constructor() {
    const setState = (state: ConnectionState) => {
      this.state = state;
      for (const listener of this.stateListeners) listener(state);
    };
    if (window.ops) {
      this.mode = 'desktop';
      this.transport = window.ops;
      this.state = 'connected';
    } else {
      this.mode = 'browser';
      const token = takeAccessToken();
      const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
      this.transport = new WebSocketTransport(
        `${scheme}://${window.location.host}/api?token=${encodeURIComponent(token)}`,
        setState,
      );
    }
  }

  async call<K extends OperationName>(op: K, input: OpInput<K>): Promise<OpOutput<K>> {
    const outcome = await this.transport.call(op, input);
    if (!outcome.ok)
      throw new OpsCallError(
        outcome.error.code,
        outcome.error.message,
        outcome.error.hint,
        outcome.error.details,
      );
    return outcome.result as OpOutput<K>;
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.transport.subscribe((name, payload) => {
      if (name === event) listener(payload as EventPayload<E>);
    });
  }

  /**
   * The cycles this window shows in detail (its open cycle): their progress reaches it at once, while other
   * cycles' progress and log lines may wait a moment to travel together.
   */
  focus(workflowIds: string[]): void {
    this.transport.focus(workflowIds);
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }
}

export const ops = new OpsClient();

export function asFailure(err: unknown): OpsFailure {
  if (err instanceof OpsCallError)
    return { code: err.code, message: err.message, hint: err.hint, details: err.details };
  return {
    code: 'INTERNAL',
    message: err instanceof Error ? err.message : String(err),
    hint: 'See the log drawer.',
  };
}
