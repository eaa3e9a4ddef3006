// The open cycle: its actions, live phase graph, history and phase drawer, each re-rendered only when its own
// data changes.
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { memo, useCallback, useDeferredValue, useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { type HistoryEventView, type PhaseStateView } from '../../../../main/api/contract';
import { ErrorAlert } from '../ErrorAlert';
import { AttentionPanel } from './AttentionPanel';
import { CycleActions } from './CycleActions';
import { HistoryTimeline } from './HistoryTimeline';
import { LiveIndicator } from './LiveIndicator';
import { PhaseDrawer } from './PhaseDrawer';
import { PhaseGraph } from './PhaseGraph';
import { pluralize } from '../../inspection/pluralize';
import { formatDuration, formatTime } from '../../inspection/format';
import { useCycle, type CycleStore } from '../../stores/cycle';
import { MONO } from '../../theme';
import { CopyTemporalCommandButton, OpenInWebUiButton } from '../WebUiButtons';

/** Only the step whose phase is still under way: a closed cycle or a finished phase waits for no one. */
function stillWaiting(
  waitingFor: string[],
  status: string | undefined,
  phases: PhaseStateView[] | undefined,
): string[] {
  if (status !== 'running' && status !== 'needs_attention') return [];
  const phaseOf: Record<string, string> = {
    scope_approval: 'scoping',
    rfi_responses: 'request_for_information',
    test_results: 'test_execution',
  };
  return waitingFor.filter((step) => {
    const phase = phases?.find((p) => p.phase === phaseOf[step]);
    return !phase || phase.state === 'running' || phase.state === 'needs_attention';
  });
}

function download(name: string, value: unknown) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// Each part reads only what it shows from the store, so a live phase change re-renders the graph (and what shows a
// phase's state) without the header, the actions, the history or the drawer, and a history reload leaves the graph
// alone.
const CycleHistory = memo(HistoryTimeline);
const NO_PHASES: string[] = [];
const selectPhase = (phase: string | undefined) => useCycle.getState().selectPhase(phase);
const loadMore = () => void useCycle.getState().loadMoreHistory();

// Memoised: the list's page loads re-render the page, not the open cycle.
export const OpenCycle = memo(function OpenCycle() {
  const workflowId = useCycle((s) => s.workflowId);
  const needsHistory = useCycle((s) => s.historyToken === undefined && !s.historyLoading);
  useEffect(() => {
    if (workflowId && needsHistory) loadMore();
  }, [workflowId, needsHistory]);
  if (!workflowId) return null;
  return (
    <Paper variant="outlined" sx={{ p: 2, mt: 2 }} data-testid="open-cycle" data-workflow-id={workflowId}>
      <CycleHeader workflowId={workflowId} />
      <CycleActionsPanel workflowId={workflowId} />
      <CycleAttention workflowId={workflowId} />
      <Box sx={{ mt: 1.5 }}>
        <CycleGraph />
      </Box>
      <Typography variant="subtitle1" sx={{ mt: 2 }}>
        Event history
      </Typography>
      <CycleHistoryPanel key={workflowId} workflowId={workflowId} />
      <CycleDrawer />
    </Paper>
  );
});

/** The cycle's status: the live view's, else the detail's. */
const useStatus = () => useCycle((s) => s.view?.status ?? s.detail?.row.status);

const CycleHeader = memo(function CycleHeader({ workflowId }: { workflowId: string }) {
  const status = useStatus();
  const row = useCycle((s) => s.detail?.row);
  const failure = useCycle((s) => s.detail?.failure);
  const syncedAt = useCycle((s) => s.syncedAt);
  const error = useCycle((s) => s.error);
  return (
    <>
      <Stack direction="row" spacing={1.5} sx={{ alignItems: 'center', mb: 1, flexWrap: 'wrap' }}>
        <Typography variant="h6" sx={{ fontFamily: MONO }}>
          {workflowId}
        </Typography>
        {status && <Chip label={status} size="small" data-testid="open-cycle-status" />}
        {row && (
          <Typography variant="body2" color="text.secondary">
            v{row.version} · started {formatTime(row.startedAt)} · {formatDuration(row.durationMs)} ·{' '}
            {pluralize(row.retries, 'retry')} · {pluralize(row.compensations, 'compensation')}
          </Typography>
        )}
        <Box sx={{ flex: 1 }} />
        <OpenInWebUiButton workflowId={workflowId} runId={row?.runId} />
        <CopyTemporalCommandButton workflowId={workflowId} runId={row?.runId} />
        <LiveIndicator syncedAt={syncedAt} testId="open-cycle-live" />
        <Button
          onClick={() => useCycle.getState().open(undefined)}
          aria-keyshortcuts="Escape"
          data-testid="close-cycle"
        >
          Close
        </Button>
      </Stack>
      {failure && (
        <Typography variant="body2" color="error.main" gutterBottom>
          {failure}
        </Typography>
      )}
      {error && <ErrorAlert error={error} onClose={useCycle.getState().clearError} />}
    </>
  );
});

const MemoActions = memo(CycleActions);
const onOpenStep = () => void useCycle.getState().loadStepContext();
const onSendStep: CycleStore['sendStep'] = (operation, input) =>
  useCycle.getState().sendStep(operation, input);
const onCloseStep = () => useCycle.getState().clearStepError();
const onPreview = (action: 'cancel' | 'terminate') => void useCycle.getState().previewAction(action);
const onClosePreview = () => useCycle.getState().closePreview();
const onCancel = (reason: string) => void useCycle.getState().cancel(reason);
const onTerminate = (reason: string) => void useCycle.getState().terminate(reason);

function CycleActionsPanel({ workflowId }: { workflowId: string }) {
  const status = useStatus();
  const waitingFor = useCycle(
    useShallow((s) =>
      stillWaiting(s.detail?.waitingFor ?? [], s.view?.status ?? s.detail?.row.status, s.view?.phases),
    ),
  );
  const busy = useCycle((s) => s.busy);
  const preview = useCycle((s) => s.preview);
  const stepContext = useCycle((s) => s.stepContext);
  const stepError = useCycle((s) => s.stepError);
  return (
    <MemoActions
      workflowId={workflowId}
      running={status === 'running'}
      waitingFor={waitingFor}
      busy={busy}
      preview={preview}
      stepContext={stepContext}
      stepError={stepError}
      onOpenStep={onOpenStep}
      onSendStep={onSendStep}
      onCloseStep={onCloseStep}
      onPreview={onPreview}
      onClosePreview={onClosePreview}
      onCancel={onCancel}
      onTerminate={onTerminate}
    />
  );
}

function CycleAttention({ workflowId }: { workflowId: string }) {
  const status = useStatus();
  const phases = useCycle((s) => s.view?.phases);
  if (status !== 'needs_attention' || !phases) return null;
  return <AttentionPanel workflowId={workflowId} phases={phases} />;
}

function CycleGraph() {
  const view = useCycle((s) => s.view);
  const selectedPhase = useCycle((s) => s.selectedPhase);
  return (
    <PhaseGraph
      view={view}
      skipped={view?.skipped ?? NO_PHASES}
      selectedPhase={selectedPhase}
      onSelectPhase={selectPhase}
    />
  );
}

function CycleHistoryPanel({ workflowId }: { workflowId: string }) {
  const { events, complete, loading, stale, missing, search } = useCycle(
    useShallow((s) => ({
      events: s.history,
      complete: s.historyToken === null,
      loading: s.historyLoading,
      stale: s.historyStale,
      missing: s.historyMissing,
      search: s.historySearch,
    })),
  );
  const exportHistory = useCallback(
    () =>
      void useCycle
        .getState()
        .exportHistory()
        .then((all) => download(`${workflowId}-history.json`, all)),
    [workflowId],
  );
  // The timeline re-renders in the background, interruptible: a phase change drawn meanwhile does not wait for it.
  const shownEvents = useDeferredValue(events);
  return (
    <CycleHistory
      events={shownEvents}
      complete={complete}
      loading={loading}
      stale={stale}
      missing={missing}
      onLoadMore={loadMore}
      search={search}
      onSearchChange={useCycle.getState().setHistorySearch}
      onReload={reloadHistory}
      onExport={exportHistory}
    />
  );
}
const reloadHistory = () => void useCycle.getState().reloadHistory();

/** The drawer reads the detail and the history only while a phase is open in it. */
function CycleDrawer() {
  const selectedPhase = useCycle((s) => s.selectedPhase);
  const detail = useCycle((s) => (s.selectedPhase ? s.detail : undefined));
  const history = useCycle((s) => (s.selectedPhase ? s.history : NO_EVENTS));
  return (
    <PhaseDrawer
      selectedPhase={selectedPhase}
      onSelectPhase={selectPhase}
      detail={detail}
      history={history}
    />
  );
}
const NO_EVENTS: HistoryEventView[] = [];
