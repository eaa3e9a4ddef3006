// The Workflows list: server-side filter, sort and paging, pages fetched as the virtual list scrolls to them,
// refreshed by the tracking NOTIFY events (never by a timer) and re-synced after a reconnect.
import { create } from 'zustand';
import type {
  BatchPreviewItem,
  BatchResultItem,
  CycleFilter,
  CycleRow,
  OpInput,
  StartCycleInput,
  StartCycleResult,
} from '../../../main/api/contract';
import { asFailure, ops, type OpsFailure } from '../ops/client';
import { readPacing } from '../ops/pacing';
import { isListenerEvent, isResync } from './live';
import { keepUnchangedRows } from '../inspection/list-rows';

export const LIST_PAGE = 200;

export type CycleSort = 'started' | 'duration' | 'retries' | 'cycle';

export interface ListQuery {
  filter: CycleFilter;
  sort: CycleSort;
  dir: 'asc' | 'desc';
}

type BatchAction = OpInput<'inspection.batchPreview'>['action'];

interface WorkflowsStore {
  query: ListQuery;
  total: number | undefined;
  pages: Record<number, CycleRow[]>;
  loading: boolean;
  visibility: boolean;
  error: OpsFailure | undefined;
  /** When the list last matched the server (shown while the connection is down). */
  syncedAt: number | undefined;
  /** Batch mode: the filter's cycles are selected except these. */
  batchMode: boolean;
  excluded: string[];
  /** The filters as typed are refused (the list shows the last valid ones): batch actions wait for a fix. */
  filterInvalid: boolean;
  batchPreview: { items: BatchPreviewItem[]; truncated: boolean } | undefined;
  batchResults: BatchResultItem[] | undefined;
  /** The workflow versions cycles ran with (the Version filter offers these), once read. */
  versions: number[] | undefined;
  /** Reads the versions the way the Metrics page does (its operation answers them with the metrics). */
  loadVersions(): Promise<void>;
  setFilter(patch: Partial<CycleFilter>): void;
  setSort(sort: CycleSort): void;
  /** The whole query at once (a link or back/forward restores it); reloads only if it differs. */
  setQuery(query: ListQuery): void;
  reload(): Promise<void>;
  ensureRange(first: number, last: number): void;
  rowAt(index: number): CycleRow | undefined;
  startCycle(input: StartCycleInput): Promise<StartCycleResult>;
  createDemoData(): Promise<number[]>;
  setBatchMode(on: boolean): void;
  toggleExcluded(workflowId: string): void;
  previewBatch(action: BatchAction): Promise<void>;
  runBatch(action: BatchAction): Promise<void>;
  clearError(): void;
}

const emptyFilter = (): CycleFilter => ({ status: [], text: '' });
const inFlight = new Set<number>();
let visible: [number, number] = [0, LIST_PAGE];
let generation = 0;
/** Reads of a page can overtake each other: only a read issued later than the one shown may replace it. */
let readSeq = 0;
const shownSeq = new Map<number, number>();
function newest(page: number, seq: number, replace = false): boolean {
  if ((shownSeq.get(page) ?? 0) > seq) return false;
  if (replace) shownSeq.clear();
  shownSeq.set(page, seq);
  return true;
}

export const useWorkflows = create<WorkflowsStore>((set, get) => {
  /** `replace`: the page becomes the only one held (a reload), swapped in when it arrives so nothing flashes. */
  const fetchPage = async (page: number, gen = generation, replace = false) => {
    if (inFlight.has(page) && !replace) return;
    inFlight.add(page);
    const mine = ++readSeq;
    try {
      const { query } = get();
      const res = await ops.call('inspection.list', {
        ...query.filter,
        sort: query.sort,
        dir: query.dir,
        offset: page * LIST_PAGE,
        limit: LIST_PAGE,
        count: page === 0 || get().total === undefined,
      });
      if (gen !== generation || !newest(page, mine, replace)) return;
      set((s) => ({
        total: res.total >= 0 ? res.total : s.total,
        visibility: res.visibility,
        pages: replace ? { [page]: res.rows } : { ...s.pages, [page]: res.rows },
        syncedAt: Date.now(),
        error: undefined,
      }));
    } catch (err) {
      if (gen === generation) set({ error: asFailure(err) });
    } finally {
      inFlight.delete(page);
    }
  };
  const selection = () => ({ filter: get().query.filter, exclude: get().excluded, max: 200 });
  return {
    query: { filter: emptyFilter(), sort: 'started', dir: 'desc' },
    total: undefined,
    pages: {},
    loading: false,
    visibility: true,
    error: undefined,
    syncedAt: undefined,
    batchMode: false,
    excluded: [],
    filterInvalid: false,
    versions: undefined,
    batchPreview: undefined,
    batchResults: undefined,
    setFilter(patch) {
      set((s) => ({ query: { ...s.query, filter: { ...s.query.filter, ...patch } } }));
      void get().reload();
    },
    setSort(sort) {
      set((s) => ({
        query: {
          ...s.query,
          sort,
          dir: s.query.sort === sort ? (s.query.dir === 'asc' ? 'desc' : 'asc') : 'desc',
        },
      }));
      void get().reload();
    },
    setQuery(query) {
      if (JSON.stringify(query) === JSON.stringify(get().query)) return;
      set({ query });
      void get().reload();
    },
    async reload() {
      generation += 1;
      inFlight.clear();
      set({ loading: true });
      await fetchPage(0, generation, true);
      set({ loading: false });
    },
    ensureRange(first, last) {
      visible = [first, last];
      const { pages, total } = get();
      // Half a page of margin each side: a steady scroll finds its rows already there.
      const from = Math.max(0, first - LIST_PAGE / 2);
      const to = Math.min(Math.max(0, (total ?? 0) - 1), last + LIST_PAGE / 2);
      for (let p = Math.floor(from / LIST_PAGE); p <= Math.floor(to / LIST_PAGE); p++)
        if (!pages[p]) void fetchPage(p);
    },
    rowAt(index) {
      return get().pages[Math.floor(index / LIST_PAGE)]?.[index % LIST_PAGE];
    },
    async startCycle(input) {
      const result = await ops.call('workflows.start', input);
      void get().reload();
      return result;
    },
    async loadVersions() {
      try {
        set({ versions: (await ops.call('inspection.metrics', {})).versions });
      } catch {
        // Unread (the stack is down): the filter offers the version in use, if any, until a later read.
      }
    },
    async createDemoData() {
      return (await ops.call('workflows.createDemoData', { reports: 3 })).reportIds;
    },
    setBatchMode(on) {
      set({ batchMode: on, excluded: [], batchPreview: undefined, batchResults: undefined });
    },
    toggleExcluded(workflowId) {
      set((s) => ({
        excluded: s.excluded.includes(workflowId)
          ? s.excluded.filter((id) => id !== workflowId)
          : [...s.excluded, workflowId],
        batchPreview: undefined,
      }));
    },
    async previewBatch(action) {
      try {
        const res = await ops.call('inspection.batchPreview', { selection: selection(), action });
        set({ batchPreview: { items: res.items, truncated: res.truncated }, batchResults: undefined });
      } catch (err) {
        set({ error: asFailure(err) });
      }
    },
    async runBatch(action) {
      try {
        const res = await ops.call('inspection.batchRun', { selection: selection(), action });
        set({ batchResults: res.results, batchPreview: undefined });
      } catch (err) {
        set({ error: asFailure(err) });
      }
    },
    clearError: () => set({ error: undefined }),
  };
});

// Live: a tracking write re-reads the pages on screen, at most once a second and never two reads at once (with
// fifty cycles running, events arrive faster than a read returns).
let refreshQueued = false;
let refreshing = false;
let refreshAgain = false;
/** Live re-reads of the list: once a second at the most, less often while the stack answers slowly. */
const pacing = readPacing(1000);
ops.on('workflow.progress', (e) => {
  if (isListenerEvent(e) && !isResync(e)) return;
  // Only what can change the rows on screen: a cycle shown there, a new or ending cycle, a re-sync.
  const { pages } = useWorkflows.getState();
  const shown = (id: string) => {
    const [first, last] = visible;
    for (let p = Math.floor(first / LIST_PAGE); p <= Math.floor(last / LIST_PAGE); p++)
      if (pages[p]?.some((r) => r.workflowId === id)) return true;
    return false;
  };
  // The top of the list (where new cycles land under the default sort) follows every event, throttled.
  const atTop = visible[0] < LIST_PAGE;
  if (!atTop && !isResync(e) && !e.kind.startsWith('execution:') && !shown(e.workflowId)) return;
  queueRefresh();
});

function queueRefresh() {
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  if (refreshQueued) return;
  refreshQueued = true;
  setTimeout(() => {
    refreshQueued = false;
    const { pages } = useWorkflows.getState();
    // Nothing held yet (a reload in flight may have read before this write): read afresh.
    if (Object.keys(pages).length === 0) {
      void useWorkflows.getState().reload();
      return;
    }
    const [first, last] = visible;
    const reads: Array<Promise<void>> = [];
    for (let p = Math.floor(first / LIST_PAGE); p <= Math.floor(last / LIST_PAGE); p++) {
      if (pages[p]) reads.push(refetch(p));
    }
    refreshing = true;
    void pacing.timed(Promise.all(reads)).finally(() => {
      refreshing = false;
      if (refreshAgain) {
        refreshAgain = false;
        queueRefresh();
      }
    });
  }, pacing.wait());
}

async function refetch(page: number) {
  const { query } = useWorkflows.getState();
  const gen = generation;
  const mine = ++readSeq;
  try {
    const res = await ops.call('inspection.list', {
      ...query.filter,
      sort: query.sort,
      dir: query.dir,
      offset: page * LIST_PAGE,
      limit: LIST_PAGE,
      // The top page also re-counts: a new cycle lands there, and a stale total would leave its row unrendered.
      count: page === 0,
    });
    if (gen !== generation || !newest(page, mine)) return;
    useWorkflows.setState((s) => {
      const rows = keepUnchangedRows(s.pages[page], res.rows);
      return {
        total: res.total >= 0 ? res.total : s.total,
        pages: rows === s.pages[page] ? s.pages : { ...s.pages, [page]: rows },
        syncedAt: Date.now(),
      };
    });
  } catch {
    // The next event or the reconnect re-sync tries again.
  }
}

ops.onState((state) => {
  if (state === 'connected' && useWorkflows.getState().syncedAt !== undefined)
    void useWorkflows.getState().reload();
});

// The stack coming up (after the page opened, or after a restart) is a re-sync point too.
let stackState: string | undefined;
ops.on('stack.status', (status) => {
  const was = stackState;
  stackState = status.state;
  if (status.state === 'running' && was !== 'running' && useWorkflows.getState().total !== undefined)
    void useWorkflows.getState().reload();
});
