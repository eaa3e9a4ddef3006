// The open cycle: its actions, live phase graph, history and phase drawer, each re-rendered only when its own
// data changes.
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { memo, useCallback, useEffect } from 'react';
import { type PhaseStateView } from '../../../../main/api/contract';
import { ErrorAlert } from '../ErrorAlert';
import { AttentionPanel } from './AttentionPanel';
import { CycleActions } from './CycleActions';
import { HistoryTimeline } from './HistoryTimeline';
import { LiveIndicator } from './LiveIndicator';
import { PhaseDrawer } from './PhaseDrawer';
import { PhaseGraph } from './PhaseGraph';
import { pluralize } from '../../inspection/pluralize';
import { formatDuration, formatTime } from '../../inspection/format';
import { useCycle } from '../../stores/cycle';
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

// The graph and the history re-render only when their own data changes: a live phase change redraws the graph
// without re-rendering the whole history, and a history reload leaves the graph alone.
const CycleGraph = memo(PhaseGraph);
const CycleHistory = memo(HistoryTimeline);
const NO_PHASES: string[] = [];

// Memoised: the list's page loads re-render the page, not the open cycle.
export const OpenCycle = memo(function OpenCycle() {
  const cycle = useCycle();
  const detail = cycle.detail;
  const view = cycle.view;
  const onSelectPhase = useCallback(
    (phase: string | undefined) => useCycle.getState().selectPhase(phase),
    [],
  );
  const loadMore = useCallback(() => void useCycle.getState().loadMoreHistory(), []);
  const reloadHistory = useCallback(() => void useCycle.getState().reloadHistory(), []);
  const workflowId = cycle.workflowId;
  const exportHistory = useCallback(
    () =>
      void useCycle
        .getState()
        .exportHistory()
        .then((events) => download(`${workflowId}-history.json`, events)),
    [workflowId],
  );
  useEffect(() => {
    if (cycle.workflowId && cycle.historyToken === undefined && !cycle.historyLoading) loadMore();
  }, [cycle.workflowId, cycle.historyToken, cycle.historyLoading, loadMore]);
  if (!cycle.workflowId) return null;
  const row = detail?.row;
  const status = view?.status ?? row?.status;
  return (
    <Paper
      variant="outlined"
      sx={{ p: 2, mt: 2 }}
      data-testid="open-cycle"
      data-workflow-id={cycle.workflowId}
    >
      <Stack direction="row" spacing={1.5} sx={{ alignItems: 'center', mb: 1, flexWrap: 'wrap' }}>
        <Typography variant="h6" sx={{ fontFamily: MONO }}>
          {cycle.workflowId}
        </Typography>
        {status && <Chip label={status} size="small" data-testid="open-cycle-status" />}
        {row && (
          <Typography variant="body2" color="text.secondary">
            v{row.version} · started {formatTime(row.startedAt)} · {formatDuration(row.durationMs)} ·{' '}
            {pluralize(row.retries, 'retry')} · {pluralize(row.compensations, 'compensation')}
          </Typography>
        )}
        <Box sx={{ flex: 1 }} />
        <OpenInWebUiButton workflowId={cycle.workflowId} runId={row?.runId} />
        <CopyTemporalCommandButton workflowId={cycle.workflowId} runId={row?.runId} />
        <LiveIndicator syncedAt={cycle.syncedAt} testId="open-cycle-live" />
        <Button onClick={() => cycle.open(undefined)} aria-keyshortcuts="Escape" data-testid="close-cycle">
          Close
        </Button>
      </Stack>
      {detail?.failure && (
        <Typography variant="body2" color="error.main" gutterBottom>
          {detail.failure}
        </Typography>
      )}
      {cycle.error && <ErrorAlert error={cycle.error} onClose={cycle.clearError} />}
      <CycleActions
        workflowId={cycle.workflowId!}
        running={status === 'running'}
        waitingFor={stillWaiting(detail?.waitingFor ?? [], status, view?.phases)}
        busy={cycle.busy}
        preview={cycle.preview}
        stepContext={cycle.stepContext}
        stepError={cycle.stepError}
        onOpenStep={() => void cycle.loadStepContext()}
        onSendStep={cycle.sendStep}
        onCloseStep={cycle.clearStepError}
        onPreview={(a) => void cycle.previewAction(a)}
        onClosePreview={cycle.closePreview}
        onCancel={(reason) => void cycle.cancel(reason)}
        onTerminate={(reason) => void cycle.terminate(reason)}
      />
      {status === 'needs_attention' && view && (
        <AttentionPanel workflowId={cycle.workflowId} phases={view.phases} />
      )}
      <Box sx={{ mt: 1.5 }}>
        <CycleGraph
          view={view}
          skipped={view?.skipped ?? NO_PHASES}
          selectedPhase={cycle.selectedPhase}
          onSelectPhase={onSelectPhase}
        />
      </Box>
      <Typography variant="subtitle1" sx={{ mt: 2 }}>
        Event history
      </Typography>
      <CycleHistory
        key={cycle.workflowId}
        events={cycle.history}
        complete={cycle.historyToken === null}
        loading={cycle.historyLoading}
        stale={cycle.historyStale}
        onLoadMore={loadMore}
        search={cycle.historySearch}
        onSearchChange={cycle.setHistorySearch}
        onReload={reloadHistory}
        onExport={exportHistory}
      />
      <PhaseDrawer
        selectedPhase={cycle.selectedPhase}
        onSelectPhase={onSelectPhase}
        detail={detail}
        history={cycle.history}
      />
    </Paper>
  );
});
