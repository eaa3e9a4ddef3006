// One log file in the viewer: pages read from disk on demand (older ones as the operator scrolls up), new lines
// when the console says the service wrote some, filtered by level and text on the back end.
import { create } from 'zustand';
import type { LogEntry, LogLine } from '../../../main/api/contract';
import { asFailure, ops, type OpsFailure } from '../ops/client';

const PAGE = 300;
const KEEP = 50_000;
const NEWER = 5_000;

interface LogFileStore {
  name: string | undefined;
  lines: LogEntry[];
  /** Where the next older page ends; atStart when there is none. */
  start: number;
  end: number;
  atStart: boolean;
  size: number;
  loading: boolean;
  levels: Array<LogLine['level']>;
  text: string;
  error: OpsFailure | undefined;
  open(name: string): Promise<void>;
  close(): void;
  setFilter(filter: { levels?: Array<LogLine['level']>; text?: string }): Promise<void>;
  loadOlder(): Promise<void>;
  loadNewer(): Promise<void>;
}

let generation = 0;
const newer = { running: false, again: false };

export const useLogFile = create<LogFileStore>((set, get) => {
  const filter = () => {
    const { levels, text } = get();
    return { ...(levels.length && levels.length < 4 ? { levels } : {}), ...(text ? { text } : {}) };
  };
  const first = async () => {
    const name = get().name;
    if (!name) return;
    const mine = ++generation;
    set({ loading: true, error: undefined });
    try {
      const page = await ops.call('logs.read', { name, limit: PAGE, ...filter() });
      if (mine !== generation) return;
      set({ lines: page.lines, start: page.start, end: page.end, atStart: page.atStart, size: page.size });
    } catch (err) {
      if (mine === generation) set({ error: asFailure(err), lines: [] });
    } finally {
      if (mine === generation) set({ loading: false });
    }
  };
  return {
    name: undefined,
    lines: [],
    start: 0,
    end: 0,
    atStart: true,
    size: 0,
    loading: false,
    levels: [],
    text: '',
    error: undefined,
    async open(name) {
      set({ name, lines: [], end: 0, levels: [], text: '', atStart: false, error: undefined });
      await first();
    },
    close() {
      generation++;
      set({ name: undefined, lines: [] });
    },
    async setFilter(next) {
      set({ ...next, lines: [], atStart: false });
      await first();
    },
    async loadOlder() {
      const { name, atStart, loading, start } = get();
      if (!name || atStart || loading) return;
      const mine = generation;
      set({ loading: true });
      try {
        const page = await ops.call('logs.read', { name, before: start, limit: PAGE, ...filter() });
        if (mine !== generation) return;
        set((s) => ({
          lines: [...page.lines, ...s.lines].slice(0, KEEP),
          start: page.start,
          atStart: page.atStart,
        }));
      } catch (err) {
        set({ error: asFailure(err) });
      } finally {
        if (mine === generation) set({ loading: false });
      }
    },
    async loadNewer() {
      // One read at a time: a call while one runs makes that one read again when it is done.
      // The first page is still on its way: it brings these lines itself.
      if (get().loading && get().lines.length === 0) return;
      if (newer.running) {
        newer.again = true;
        return;
      }
      newer.running = true;
      const mine = generation;
      try {
        for (let more = true; more;) {
          newer.again = false;
          const { name, end } = get();
          if (!name || mine !== generation) return;
          const page = await ops.call('logs.read', { name, after: end, limit: NEWER, ...filter() });
          if (mine !== generation) return;
          set((s) => ({
            lines: (page.rotated ? page.lines : [...s.lines, ...page.lines]).slice(-KEEP),
            end: page.end,
            size: page.size,
          }));
          more = newer.again || (page.end < page.size && page.end > end);
        }
      } catch {
        // The next line written tries again.
      } finally {
        newer.running = false;
      }
    },
  };
});

/** Which file a live log line lands in (as the console's file writer decides). */
export function logNameOf(line: Pick<LogLine, 'source' | 'message'>): string {
  if (['app-postgres', 'temporal-postgres', 'temporal', 'temporal-ui'].includes(line.source))
    return line.source;
  if (line.source === 'worker') return `worker-${/^\[w(\d+)\] /.exec(line.message)?.[1] ?? '0'}`;
  return 'console';
}

let pending: ReturnType<typeof setTimeout> | undefined;
// Push, not poll: a line for the open file asks for what is new, at most a few times a second.
ops.on('log', (line) => {
  const name = useLogFile.getState().name;
  if (!name || logNameOf(line) !== name || pending) return;
  pending = setTimeout(() => {
    pending = undefined;
    void useLogFile.getState().loadNewer();
  }, 300);
});
