import { create } from 'zustand';
import type { LogLine } from '../../../main/api/contract';
import { ops } from '../ops/client';
import { unseenLines } from './log-lines';

const CAPACITY = 20_000;

interface LogStore {
  lines: LogLine[];
  loaded: boolean;
  load(): Promise<void>;
}

export const useLogs = create<LogStore>((set, get) => ({
  lines: [],
  loaded: false,
  async load() {
    const recent = await ops.call('logs.recent', { limit: CAPACITY }).catch(() => undefined);
    if (!recent) return; // offline: the drawer shows what it has, and the next connection re-syncs
    const seen = new Set(recent.map((l) => l.seq));
    // Keep lines pushed while the request was in flight, in order.
    const merged = [...recent, ...get().lines.filter((l) => !seen.has(l.seq))].sort((a, b) => a.seq - b.seq);
    set({ lines: merged.slice(-CAPACITY), loaded: true });
  },
}));

let queue: LogLine[] = [];
let scheduled = false;
// Lines arrive in bursts: apply them once per frame, not once per line.
ops.on('log', (line) => {
  queue.push(line);
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    const held = useLogs.getState().lines;
    const lines = held.concat(unseenLines(held, queue));
    queue = [];
    scheduled = false;
    useLogs.setState({ lines: lines.length > CAPACITY ? lines.slice(-CAPACITY) : lines });
  });
});
