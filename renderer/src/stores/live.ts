// Whether what the console shows is live: one answer for the list, the open cycle, the worker card and the backup
// jobs, fed by events: the connection to the console, the database's event stream (the listener reports 'lost'
// and 'resync') and the stack's own status. Whichever went away first names the time the data is stale since.
import { create } from 'zustand';
import { ops, type ConnectionState } from '../ops/client';

export type StaleReason = 'disconnected' | 'events-lost' | 'stack-down';

interface LiveStore {
  dbEvents: 'flowing' | 'lost';
  lostAt: number | undefined;
  connection: ConnectionState;
  disconnectedAt: number | undefined;
  /** The stack's state as last pushed (undefined until the first status arrives). */
  stack: string | undefined;
  stackDownAt: number | undefined;
}

export const useLive = create<LiveStore>(() => ({
  dbEvents: 'flowing',
  lostAt: undefined,
  connection: ops.state,
  disconnectedAt: ops.state === 'connected' ? undefined : Date.now(),
  stack: undefined,
  stackDownAt: undefined,
}));

/** A progress event that is the listener's own news rather than a tracking write. */
export const isListenerEvent = (e: { table: string }) => e.table === 'listener';
export const isResync = (e: { table: string; kind: string }) => e.table === 'listener' && e.kind === 'resync';

/** Stack states in which nothing new can arrive (the databases or Temporal are not there to read). */
const STACK_DOWN = new Set(['stopped', 'stopping', 'starting', 'failed']);

/** Whether the stack's state (as last read or pushed) leaves nothing to run a cycle on; unknown is not down. */
export const isStackDown = (state: string | undefined) => state !== undefined && STACK_DOWN.has(state);

export interface Freshness {
  live: boolean;
  reason: StaleReason | undefined;
  /** When the data stopped being live (ms since the epoch), when known. */
  since: number | undefined;
}

/** The one reading of liveness every view shows. Pure over the store's state. */
export function freshnessOf(s: LiveStore): Freshness {
  if (s.connection !== 'connected') return { live: false, reason: 'disconnected', since: s.disconnectedAt };
  if (isStackDown(s.stack)) return { live: false, reason: 'stack-down', since: s.stackDownAt };
  if (s.dbEvents === 'lost') return { live: false, reason: 'events-lost', since: s.lostAt };
  return { live: true, reason: undefined, since: undefined };
}

/** The freshness, re-rendering only when it changes. */
export function useFreshness(): Freshness {
  const live = useLive((s) => freshnessOf(s).live);
  const reason = useLive((s) => freshnessOf(s).reason);
  const since = useLive((s) => freshnessOf(s).since);
  return { live, reason, since };
}

ops.on('workflow.progress', (e) => {
  if (!isListenerEvent(e)) return;
  if (e.kind === 'lost') useLive.setState((s) => ({ dbEvents: 'lost', lostAt: s.lostAt ?? Date.now() }));
  else useLive.setState({ dbEvents: 'flowing', lostAt: undefined });
});

ops.onState((connection) =>
  useLive.setState((s) => ({
    connection,
    disconnectedAt: connection === 'connected' ? undefined : (s.disconnectedAt ?? Date.now()),
  })),
);

/** The stack's state, from its pushed status or a read of it (whichever comes). */
export function noteStackState(state: string | undefined, updatedAt?: string): void {
  if (!state) return;
  useLive.setState((s) => {
    if (s.stack === state) return {};
    const down = STACK_DOWN.has(state);
    // The status says when it was taken: the stack went down then, not when the news arrived.
    const at = updatedAt ? Date.parse(updatedAt) : NaN;
    const when = Number.isNaN(at) ? Date.now() : Math.min(at, Date.now());
    return { stack: state, stackDownAt: down ? (s.stackDownAt ?? when) : undefined };
  });
}

ops.on('stack.status', (status) => noteStackState(status.state, status.updatedAt));
