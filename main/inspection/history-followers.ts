// The histories the console's windows re-read live, followed as Temporal appends to them. A window showing a
// running cycle asks every second or so for what is new after the last event it holds; without this, each such
// ask read the whole history from Temporal and decoded it again, per window. Here the first ask starts one long
// poll on that history (Temporal answers it as soon as the history grows, or when the cycle closes), and the asks
// after it are answered from the events the poll brought in: no Temporal read, one decode per event, shared by
// every window on the same cycle.
import type { Client } from '@temporalio/client';
import type { HistoryEventView } from '../api';
import { historyEventViews } from './history-events';

export interface FollowerOptions {
  temporal: () => Promise<Client>;
  namespace: () => string;
  /** A history nobody asked about for this long stops being followed and is let go. */
  idleMs?: number;
  /** The most histories followed at once: the one asked about least recently goes first. */
  maxFollowed?: number;
  /** A history longer than this is not held (the windows stop re-reading so long a history live anyway). */
  maxEvents?: number;
}

/** What is held after an event: the newer events, and that event as the history holds it. */
export interface HeldNewer {
  events: HistoryEventView[];
  after: { id: number; time: string };
}

interface Followed {
  /** The history from its first event on, without a gap (all of it once the cycle closed: polling ends then). */
  events: HistoryEventView[];
  lastAsked: number;
  stop: AbortController;
}

/** Each long poll's deadline: Temporal answers before it when the history grows. */
const POLL_MS = 30_000;
/**
 * The most events Temporal sends in one page of a history: it answers a larger ask with this many all the same, and
 * writes a warning in its log for each such ask.
 */
export const TEMPORAL_HISTORY_PAGE_MAX = 256;

export class HistoryFollowers {
  private readonly followed = new Map<string, Followed>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly idleMs: number;
  private readonly maxFollowed: number;
  private readonly maxEvents: number;
  /** Asks answered from a followed history (for the benchmarks' and the tests' accounting). */
  answered = 0;

  constructor(private readonly options: FollowerOptions) {
    this.idleMs = options.idleMs ?? 30_000;
    this.maxFollowed = options.maxFollowed ?? 32;
    this.maxEvents = options.maxEvents ?? 5_000;
    this.sweeper = setInterval(() => this.sweep(), Math.min(5_000, this.idleMs));
    this.sweeper.unref();
  }

  /**
   * The events after `afterEventId` of a run's history, when it is followed and holds that event; otherwise
   * undefined (the caller reads Temporal), and the history is followed from now on.
   */
  newer(workflowId: string, runId: string, afterEventId: number): HeldNewer | undefined {
    const key = `${workflowId}/${runId}`;
    const held = this.followed.get(key);
    if (!held) {
      this.follow(key, workflowId, runId);
      return undefined;
    }
    held.lastAsked = Date.now();
    // Events are held from the first one on, without a gap: event N sits at N - 1.
    const anchor = held.events[afterEventId - 1];
    if (!anchor || anchor.id !== afterEventId) return undefined;
    this.answered++;
    return { events: held.events.slice(afterEventId), after: { id: anchor.id, time: anchor.time } };
  }

  /** The histories followed now, as workflowId/runId. */
  keys(): string[] {
    return [...this.followed.keys()];
  }

  /** Stops every poll and lets every history go. */
  close(): void {
    clearInterval(this.sweeper);
    for (const key of [...this.followed.keys()]) this.drop(key);
  }

  private follow(key: string, workflowId: string, runId: string): void {
    if (this.followed.size >= this.maxFollowed) {
      const oldest = [...this.followed].sort((a, b) => a[1].lastAsked - b[1].lastAsked)[0];
      if (oldest) this.drop(oldest[0]);
    }
    const held: Followed = { events: [], lastAsked: Date.now(), stop: new AbortController() };
    this.followed.set(key, held);
    void this.poll(key, held, workflowId, runId);
  }

  private async poll(key: string, held: Followed, workflowId: string, runId: string): Promise<void> {
    let token: Uint8Array | undefined;
    try {
      const client = await this.options.temporal();
      while (!held.stop.signal.aborted) {
        const res = await this.longPoll(client, held.stop.signal, {
          namespace: this.options.namespace(),
          execution: { workflowId, runId },
          maximumPageSize: TEMPORAL_HISTORY_PAGE_MAX,
          waitNewEvent: true,
          nextPageToken: token,
        });
        for (const event of historyEventViews(res.history?.events ?? [])) {
          const next = held.events.length + 1;
          if (event.id < next) continue; // already held
          if (event.id > next) throw new Error(`a gap in ${key}'s history before event ${event.id}`);
          held.events.push(event);
        }
        if (held.events.length > this.maxEvents) break;
        if (!res.nextPageToken?.length) return; // closed: held whole until nobody asks
        token = res.nextPageToken;
      }
    } catch {
      // Temporal restarting, the run gone, a stop: the asks read Temporal again, and may follow it anew.
    }
    if (this.followed.get(key) === held) this.drop(key);
  }

  /** One long poll, stopped with the follower (a signal of its own: the client leaves a listener on the one it is given). */
  private async longPoll(
    client: Client,
    stop: AbortSignal,
    request: Parameters<Client['workflowService']['getWorkflowExecutionHistory']>[0],
  ) {
    const poll = new AbortController();
    const abort = () => poll.abort();
    stop.addEventListener('abort', abort, { once: true });
    try {
      return await client.withAbortSignal(poll.signal, () =>
        client.withDeadline(Date.now() + POLL_MS, () =>
          client.workflowService.getWorkflowExecutionHistory(request),
        ),
      );
    } finally {
      stop.removeEventListener('abort', abort);
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, held] of this.followed) if (now - held.lastAsked > this.idleMs) this.drop(key);
  }

  private drop(key: string): void {
    const held = this.followed.get(key);
    if (!held) return;
    this.followed.delete(key);
    held.stop.abort();
  }
}
