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
import { storeAction } from './action';
import { isResync } from './live';
import { phaseStateMoves } from '../../../shared/phases';
import { keepUnchanged as keepUnchangedItems } from '../inspection/list-rows';

const HISTORY_PAGE = 1000;
const FIRST_HISTORY_PAGE = 200;
const SILENT_HISTORY_RELOAD = 2000;

type Busy = 'signal' | 'step' | 'cancel' | 'terminate' | 'preview' | undefined;

/** The human steps' operations, each validated by the workflow. */
export type StepOperation = 'workflows.approveScope' | 'workflows.answerRfi' | 'workflows.recordResults';

interface CycleStore {
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
  /** Reads the history again from the start (after new events). */
  reloadHistory(): Promise<void>;
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
  if (eventStates.size === 0) return view;
  return {
    ...view,
    phases: view.phases.map((p) => {
      const e = eventStates.get(p.phase);
      return e ? { ...p, state: e.state } : p;
    }),
  };
}

let phasesInFlight = false;
let phasesDirty = false;
let detailTimer: ReturnType<typeof setTimeout> | undefined;

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
        preview: undefined,
        stepContext: undefined,
        stepError: undefined,
        error: undefined,
      });
      if (workflowId) void get().refresh();
    },
    async refresh() {
      await Promise.all([refreshPhases(), refreshDetail()]);
    },
    selectPhase: (selectedPhase) => set({ selectedPhase }),
    setHistorySearch: (historySearch) => set({ historySearch }),
    async loadMoreHistory() {
      const { workflowId, historyToken, historyLoading } = get();
      if (!workflowId || historyLoading || historyToken === null) return;
      set({ historyLoading: true });
      try {
        // A small first page paints at once; the rest comes in large pages as the timeline scrolls.
        const page = await ops.call('inspection.history', {
          workflowId,
          pageToken: historyToken ?? undefined,
          pageSize: historyToken ? HISTORY_PAGE : FIRST_HISTORY_PAGE,
        });
        if (get().workflowId !== workflowId) return;
        set((s) => ({ history: [...s.history, ...page.events], historyToken: page.nextPageToken }));
      } catch (err) {
        set({ error: asFailure(err) });
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
      if (detailTimer) clearTimeout(detailTimer);
      detailTimer = setTimeout(() => {
        void refreshDetail();
        // A fully read history grows with the cycle: a short one is re-read quietly, a long one says so.
        const { historyToken, history, historyLoading } = get();
        if (historyToken !== null || historyLoading) return;
        if (history.length <= SILENT_HISTORY_RELOAD) void get().reloadHistory();
        else set({ historyStale: true });
      }, 300);
    },
    async reloadHistory() {
      const id = get().workflowId;
      if (!id) return;
      set({ historyLoading: true });
      try {
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
        if (get().workflowId === id) set({ history: events, historyToken: next, historyStale: false });
      } catch (err) {
        set({ error: asFailure(err) });
      } finally {
        set({ historyLoading: false });
      }
    },
  };
});

function onProgress(event: WorkflowProgressEvent) {
  const { workflowId } = useCycle.getState();
  if (workflowId && isResync(event)) {
    void useCycle.getState().refresh();
    return;
  }
  if (!workflowId || event.workflowId !== workflowId) return;
  const [kind, status] = event.kind.split(':');
  if (event.table === 'workflow_phases' && kind === 'phase' && event.phase && status) {
    // A notice can repeat a state already passed (a retried activity writes its marks again; the row kept its
    // later state): the view never moves a phase back.
    const shown = useCycle.getState().view?.phases.find((p) => p.phase === event.phase)?.state;
    if (shown && shown !== status && !phaseStateMoves(shown, status))
      return useCycle.getState().liveRefresh();
    eventStates.set(event.phase, { state: status as PhaseStateView['state'], at: performance.now() });
    useCycle.setState((s) =>
      s.view
        ? {
            view: {
              ...s.view,
              phases: s.view.phases.map((p) =>
                p.phase === event.phase ? { ...p, state: status as typeof p.state } : p,
              ),
            },
          }
        : {},
    );
  }
  useCycle.getState().liveRefresh();
}

ops.on('workflow.progress', onProgress);
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
