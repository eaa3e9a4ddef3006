// The open cycle: its phase states (live from the tracking NOTIFY events), detail, history pages and the
// operator's actions with their previews.
import { create } from 'zustand';
import type {
  CompensationPreview,
  CycleDetail,
  HistoryEventView,
  HistoryPage,
  PhaseStateView,
  PhaseStatesView,
  StepContext,
  WorkflowProgressEvent,
} from '../../../main/api/contract';
import { asFailure, ops, type OpsFailure } from '../ops/client';
import { frameBatch } from '../ops/frame-batch';
import { readPacing } from '../ops/pacing';
import { storeAction } from './action';
import { isResync } from './live';
import { applyPhaseMarks, phaseMarkOf, withNewerMarks } from '../inspection/live-phases';
import { keepUnchanged as keepUnchangedItems } from '../inspection/list-rows';

const HISTORY_PAGE = 1000;
const FIRST_HISTORY_PAGE = 200;
const SILENT_HISTORY_RELOAD = 2000;

type Busy = 'signal' | 'step' | 'cancel' | 'terminate' | 'preview' | undefined;

/** The human steps' operations, each validated by the workflow. */
export type StepOperation = 'workflows.approveScope' | 'workflows.answerRfi' | 'workflows.recordResults';

export interface CycleStore {
  workflowId: string | undefined;
  view: PhaseStatesView | undefined;
  detail: CycleDetail | undefined;
  selectedPhase: string | undefined;
  /** The search typed over the open cycle's history (the address keeps it). */
  historySearch: string;
  history: HistoryEventView[];
  historyToken: string | null | undefined;
  historyLoading: boolean;
  /** New events exist beyond what was loaded and the history is too long to re-read silently. */
  historyStale: boolean;
  /**
   * The first page of the history could not be read (Temporal has none yet, or no longer, or failed): no read is
   * tried again until the cycle's own events come, the view is refreshed, or the operator reloads it.
   */
  historyMissing: string | undefined;
  preview: CompensationPreview | undefined;
  busy: Busy;
  error: OpsFailure | undefined;
  /** When the view last matched the server; the page shows the age while disconnected. */
  syncedAt: number | undefined;
  open(workflowId: string | undefined): void;
  refresh(): Promise<void>;
  selectPhase(phase: string | undefined): void;
  setHistorySearch(text: string): void;
  loadMoreHistory(): Promise<void>;
  exportHistory(): Promise<HistoryEventView[]>;
  signal(
    signal: 'approveScope' | 'rfiResponse' | 'testResult',
    payload: Record<string, unknown>,
  ): Promise<boolean>;
  /** What the cycle waits for and what its step's dialog shows (read when a dialog opens). */
  stepContext: StepContext | undefined;
  /** A refused or failed step, shown inside its dialog. */
  stepError: OpsFailure | undefined;
  loadStepContext(): Promise<void>;
  sendStep(operation: StepOperation, input: Record<string, unknown>): Promise<boolean>;
  clearStepError(): void;
  previewAction(action: 'cancel' | 'terminate'): Promise<void>;
  closePreview(): void;
  cancel(reason: string): Promise<void>;
  terminate(reason: string): Promise<void>;
  clearError(): void;
  /** After a live event: the phase states now, the heavier detail once the burst settles. */
  liveRefresh(): void;
  /** Reads the history again from the start (after new events); `quiet`: with no progress bar (a live re-read). */
  reloadHistory(quiet?: boolean): Promise<void>;
}

/** The new view, with the old phase objects kept where nothing changed (the graph re-renders only what did). */
function keepUnchangedView<T extends PhaseStatesView>(old: PhaseStatesView | undefined, next: T): T {
  if (!old || old.workflowId !== next.workflowId) return next;
  const phases = keepUnchangedItems(old.phases, next.phases, (p) => p.phase);
  const compensations =
    old.compensations.length === next.compensations.length &&
    old.compensations.every(
      (c, i) => c.id === next.compensations[i]!.id && c.outcome === next.compensations[i]!.outcome,
    )
      ? old.compensations
      : next.compensations;
  return { ...next, phases, compensations };
}

/** Phase states named by live events, with when they arrived: a read that was asked for earlier must not undo them. */
const eventStates = new Map<string, { state: PhaseStateView['state']; at: number }>();

function withNewerEvents<T extends PhaseStatesView>(view: T, askedAt: number): T {
  for (const [phase, e] of eventStates) if (e.at <= askedAt) eventStates.delete(phase);
  return withNewerMarks(view, new Map([...eventStates].map(([phase, e]) => [phase, e.state])));
}

let phasesInFlight = false;
let phasesDirty = false;
let detailTimer: ReturnType<typeof setTimeout> | undefined;
/**
 * The detail and the history re-read at most once a second while live events come (later on a slow stack): the
 * phase graph moves with each event at once; the heavier views follow within the second, without a re-read per
 * event competing with the cycles for the machine.
 */
const detailPacing = readPacing(1000);
/** A re-read of the history is under way (a live one shows no progress bar, so the store does not say). */
let historyReading = false;

export const useCycle = create<CycleStore>((set, get) => {
  const refreshPhases = async () => {
    const id = get().workflowId;
    if (!id) return;
    if (phasesInFlight) {
      phasesDirty = true;
      return;
    }
    phasesInFlight = true;
    try {
      const asked = performance.now();
      const view = withNewerEvents(await ops.call('inspection.phases', { workflowId: id }), asked);
      if (get().workflowId === id)
        set((s) => ({ view: keepUnchangedView(s.view, view), syncedAt: Date.now() }));
    } catch (err) {
      if (get().workflowId === id && asFailure(err).code !== 'NOT_FOUND') set({ error: asFailure(err) });
    } finally {
      phasesInFlight = false;
      if (phasesDirty) {
        phasesDirty = false;
        void refreshPhases();
      }
    }
  };
  const refreshDetail = async () => {
    const id = get().workflowId;
    if (!id) return;
    try {
      const asked = performance.now();
      const detail = withNewerEvents(await ops.call('inspection.detail', { workflowId: id }), asked);
      if (get().workflowId !== id) return;
      set((s) => ({
        detail,
        // The detail is older than a phases view fetched while it was in flight: keep the newer states.
        view: s.view && s.view.at > detail.at ? s.view : keepUnchangedView(s.view, detail),
        syncedAt: Date.now(),
      }));
    } catch (err) {
      if (get().workflowId === id && asFailure(err).code !== 'NOT_FOUND') set({ error: asFailure(err) });
    }
  };
  /** Reads the first page of a history that could not be read before (nothing when there is none such). */
  const retryMissingHistory = async () => {
    if (!get().historyMissing) return;
    set({ historyMissing: undefined });
    await get().loadMoreHistory();
  };
  const run = storeAction<Busy>(set, undefined);
  const act = async (busy: Busy, work: () => Promise<void>): Promise<boolean> =>
    (await run(busy, work)) !== undefined;
  return {
    workflowId: undefined,
    view: undefined,
    detail: undefined,
    selectedPhase: undefined,
    historySearch: '',
    history: [],
    historyToken: undefined,
    historyLoading: false,
    historyStale: false,
    historyMissing: undefined,
    preview: undefined,
    stepContext: undefined,
    stepError: undefined,
    busy: undefined,
    error: undefined,
    syncedAt: undefined,
    open(workflowId) {
      if (workflowId === get().workflowId) return;
      eventStates.clear();
      set({
        workflowId,
        view: undefined,
        detail: undefined,
        selectedPhase: undefined,
        historySearch: '',
        history: [],
        historyToken: undefined,
        historyStale: false,
        historyMissing: undefined,
        preview: undefined,
        stepContext: undefined,
        stepError: undefined,
        error: undefined,
      });
      if (workflowId) void get().refresh();
    },
    async refresh() {
      // A history that could not be read is tried again with the rest.
      await Promise.all([refreshPhases(), refreshDetail(), retryMissingHistory()]);
    },
    selectPhase: (selectedPhase) => set({ selectedPhase }),
    setHistorySearch: (historySearch) => set({ historySearch }),
    async loadMoreHistory() {
      const { workflowId, historyToken, historyLoading, historyMissing } = get();
      // A history that could not be read waits for a reason to try again (retryMissingHistory).
      if (!workflowId || historyLoading || historyToken === null || historyMissing) return;
      set({ historyLoading: true });
      try {
        // A small first page paints at once; the rest comes in large pages as the timeline scrolls.
        const page = await ops.call('inspection.history', {
          workflowId,
          pageToken: historyToken ?? undefined,
          pageSize: historyToken ? HISTORY_PAGE : FIRST_HISTORY_PAGE,
        });
        if (get().workflowId !== workflowId) return;
        set((s) => ({
          history: [...s.history, ...page.events],
          historyToken: page.nextPageToken,
          historyMissing: undefined,
        }));
      } catch (err) {
        if (get().workflowId !== workflowId) return;
        const failure = asFailure(err);
        // Not there yet (a cycle opened before it starts) or no longer: said in the timeline, not as an error.
        if (get().historyToken === undefined)
          set({ historyMissing: [failure.message, failure.hint].filter(Boolean).join(' ') });
        if (failure.code !== 'NOT_FOUND') set({ error: failure });
      } finally {
        set({ historyLoading: false });
      }
    },
    async exportHistory() {
      while (get().historyToken !== null && get().workflowId) {
        const before = get().history.length;
        await get().loadMoreHistory();
        if (get().history.length === before && get().historyToken !== null) break;
      }
      return get().history;
    },
    signal: (signal, payload) =>
      act('signal', async () => {
        const workflowId = get().workflowId!;
        await ops.call('workflows.signal', { workflowId, signal, payload });
        void refreshDetail();
      }),
    async loadStepContext() {
      const workflowId = get().workflowId;
      if (!workflowId) return;
      set({ stepContext: undefined, stepError: undefined });
      try {
        const context = await ops.call('workflows.stepContext', { workflowId });
        if (get().workflowId === workflowId) set({ stepContext: context });
      } catch (err) {
        set({ stepError: asFailure(err) });
      }
    },
    async sendStep(operation, input) {
      const workflowId = get().workflowId!;
      set({ busy: 'step', stepError: undefined });
      try {
        await ops.call(operation, { ...input, workflowId } as never);
        void refreshDetail();
        return true;
      } catch (err) {
        set({ stepError: asFailure(err) });
        return false;
      } finally {
        set({ busy: undefined });
      }
    },
    clearStepError: () => set({ stepError: undefined }),
    async previewAction(action) {
      await act('preview', async () => {
        set({
          preview: await ops.call('inspection.compensationPreview', {
            workflowId: get().workflowId!,
            action,
          }),
        });
      });
    },
    closePreview: () => set({ preview: undefined }),
    async cancel(reason) {
      await act('cancel', async () => {
        await ops.call('workflows.cancel', { workflowId: get().workflowId!, reason });
        set({ preview: undefined });
      });
    },
    async terminate(reason) {
      await act('terminate', async () => {
        await ops.call('inspection.terminate', { workflowId: get().workflowId!, reason });
        set({ preview: undefined });
        void refreshDetail();
      });
    },
    clearError: () => set({ error: undefined }),
    liveRefresh() {
      void refreshPhases();
      if (detailTimer) return; // the re-read already due takes this event in too
      detailTimer = setTimeout(() => {
        detailTimer = undefined;
        // The cycle's own events: a history missing until now (it had not started) is read again.
        const reads = [refreshDetail(), retryMissingHistory()];
        // A fully read history grows with the cycle: a short one is re-read quietly, a long one says so.
        const { historyToken, history, historyLoading } = get();
        if (historyToken === null && !historyLoading) {
          if (history.length <= SILENT_HISTORY_RELOAD) reads.push(get().reloadHistory(true));
          else set({ historyStale: true });
        }
        void detailPacing.timed(Promise.all(reads));
      }, detailPacing.wait());
    },
    async reloadHistory(quiet = false) {
      const id = get().workflowId;
      if (!id || (quiet && historyReading)) return;
      historyReading = true;
      if (!quiet) set({ historyLoading: true });
      try {
        // A live re-read of a history held whole asks only for what is new, and keeps the rows shown.
        const shown = get().history;
        const last = shown.at(-1);
        if (quiet && last && get().historyToken === null) {
          const page: HistoryPage = await ops.call('inspection.history', {
            workflowId: id,
            pageSize: HISTORY_PAGE,
            afterEventId: last.id,
          });
          if (get().workflowId !== id) return;
          // The same history as the one held (its last event unchanged): the new events go on the end.
          if (page.after?.time === last.time) {
            if (page.events.length > 0 && get().history === shown)
              set({ history: [...shown, ...page.events], historyStale: false });
            return;
          }
        }
        // Read into a new list and swap it in, so the timeline never flashes empty.
        const events: HistoryEventView[] = [];
        let next: string | null = null;
        do {
          const page: HistoryPage = await ops.call('inspection.history', {
            workflowId: id,
            pageToken: next ?? undefined,
            pageSize: HISTORY_PAGE,
          });
          events.push(...page.events);
          next = page.nextPageToken;
        } while (next && events.length < SILENT_HISTORY_RELOAD);
        if (get().workflowId !== id) return;
        // A history only grows: as many events as shown, ending at the same one, are the ones shown.
        const held = get().history;
        const same = held.length === events.length && held.at(-1)?.id === events.at(-1)?.id;
        set({
          history: same ? held : events,
          historyToken: next,
          historyStale: false,
          historyMissing: undefined,
        });
      } catch (err) {
        set({ error: asFailure(err) });
      } finally {
        historyReading = false;
        if (!quiet) set({ historyLoading: false });
      }
    },
  };
});

/** The open cycle's progress events of one frame: its phase marks as one update, then one re-read. */
function onProgress(events: WorkflowProgressEvent[]) {
  const { workflowId } = useCycle.getState();
  if (!workflowId) return;
  if (events.some(isResync)) {
    void useCycle.getState().refresh();
    return;
  }
  const mine = events.filter((e) => e.workflowId === workflowId);
  if (mine.length === 0) return;
  const marked = mine.flatMap((event) => {
    const mark = phaseMarkOf(event);
    return mark ? [{ event, mark }] : [];
  });
  if (marked.length > 0) {
    // A notice can repeat a state already passed (a retried activity writes its marks again; the row kept its
    // later state): the view never moves a phase back, and the re-read below says where it is.
    const { view } = useCycle.getState();
    const marks = marked.map((m) => m.mark);
    const applied = view
      ? applyPhaseMarks(view, marks)
      : { view, taken: marks, deferred: [] as typeof marks };
    const at = performance.now();
    for (const m of applied.taken) eventStates.set(m.phase, { state: m.state, at });
    if (applied.view !== view) useCycle.setState({ view: applied.view });
    // A phase's second move of the frame shows in the next one, so its state before it was drawn too.
    for (const m of marked) if (applied.deferred.includes(m.mark)) queueProgress(m.event);
  }
  useCycle.getState().liveRefresh();
}

// With many cycles running, most events are other cycles': only the open cycle's (and a re-sync) wait for a frame.
const queueProgress = frameBatch(onProgress);
ops.on('workflow.progress', (e) => {
  if (isResync(e) || e.workflowId === useCycle.getState().workflowId) queueProgress(e);
});
ops.onState((state) => {
  if (state === 'connected' && useCycle.getState().workflowId) void useCycle.getState().refresh();
});

let stackState: string | undefined;
ops.on('stack.status', (status) => {
  const was = stackState;
  stackState = status.state;
  if (status.state === 'running' && was !== 'running' && useCycle.getState().workflowId)
    void useCycle.getState().refresh();
});

// The open cycle's progress reaches this window at once; the console may hold other cycles' a moment.
let focused: string | undefined;
const focusOpenCycle = (workflowId: string | undefined) => {
  if (workflowId === focused) return;
  focused = workflowId;
  ops.focus(workflowId ? [workflowId] : []);
};
focusOpenCycle(useCycle.getState().workflowId);
useCycle.subscribe((s) => focusOpenCycle(s.workflowId));
