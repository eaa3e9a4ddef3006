// Workflows: every test cycle (filter, sort, page, batch) and the open cycle's live phase graph, actions,
// history and phase drawer on the same screen.
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import AddIcon from '@mui/icons-material/Add';
import { memo, useCallback, useEffect, useRef, useState } from 'react';
import {
  CycleListInputSchema,
  PHASES,
  type CycleStatus,
  type PhaseStateView,
  type StartCycleInput,
} from '../../../main/api/contract';
import { ErrorAlert } from '../components/ErrorAlert';
import { EmptyState } from '../components/EmptyState';
import { BatchPanel } from '../components/inspection/BatchPanel';
import { AttentionPanel } from '../components/inspection/AttentionPanel';
import { CycleActions } from '../components/inspection/CycleActions';
import { CycleTable } from '../components/inspection/CycleTable';
import { HistoryTimeline } from '../components/inspection/HistoryTimeline';
import { LiveIndicator } from '../components/inspection/LiveIndicator';
import { PhaseDrawer } from '../components/inspection/PhaseDrawer';
import { PhaseGraph } from '../components/inspection/PhaseGraph';
import { StartCycleDialog } from '../components/inspection/StartCycleDialog';
import { DateRangeFilter } from '../components/inspection/DateRangeFilter';
import { CopyLinkButton } from '../components/CopyLinkButton';
import { pluralize } from '../inspection/pluralize';
import { parseWorkflowsView, workflowsHash, type WorkflowsView } from '../inspection/view-url';
import { useFreshness } from '../stores/live';
import { useContractForm } from '../forms';
import { formatDuration, formatTime } from '../inspection/format';
import { asFailure } from '../ops/client';
import { useCycle } from '../stores/cycle';
import { useStack } from '../stores/stack';
import { useWorkflows } from '../stores/workflows';
import { MONO } from '../theme';
import { CopyTemporalCommandButton, OpenInWebUiButton, WebUiFeedback } from '../components/WebUiButtons';

const STATUSES: CycleStatus[] = ['running', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out'];

/** The view the address names (`#/workflows?status=running&open=<id>&drawer=<phase>`). */
function viewFromAddress(): WorkflowsView {
  return parseWorkflowsView(window.location.hash.split('?')[1] ?? '');
}

/** The view on screen, as the address would name it. */
function viewOnScreen(): WorkflowsView {
  const { query } = useWorkflows.getState();
  const { workflowId, selectedPhase, historySearch } = useCycle.getState();
  return {
    filter: query.filter,
    sort: query.sort,
    dir: query.dir,
    open: workflowId,
    phase: selectedPhase,
    history: historySearch || undefined,
  };
}

let applying = false;
/** Puts the stores in the state the address names (a link, a reload, back or forward). */
function applyAddress(): void {
  const view = viewFromAddress();
  applying = true;
  try {
    useWorkflows.getState().setQuery({ filter: view.filter, sort: view.sort, dir: view.dir });
    useCycle.getState().open(view.open);
    if (view.open) useCycle.getState().selectPhase(view.phase);
    if (view.open) useCycle.getState().setHistorySearch(view.history ?? '');
  } finally {
    applying = false;
  }
}

/**
 * Keeps the address and the view in step: the address is read on open and on back/forward; every change the
 * operator makes is a new history entry (typing in the search replaces the entry instead of adding one per key).
 */
function useViewInAddress(): void {
  useEffect(() => {
    // Arriving from the side menu (a bare `#/workflows`) keeps the view the page had; a link names its own.
    if (window.location.hash.includes('?') || useWorkflows.getState().total === undefined) applyAddress();
    const sync = () => {
      if (applying || !window.location.hash.startsWith('#/workflows')) return;
      const next = workflowsHash(viewOnScreen());
      const shown = workflowsHash(viewFromAddress());
      if (next === shown) return;
      const typedOnly =
        JSON.stringify({ ...viewOnScreen().filter, text: '' }) ===
          JSON.stringify({ ...viewFromAddress().filter, text: '' }) &&
        viewOnScreen().open === viewFromAddress().open &&
        viewOnScreen().phase === viewFromAddress().phase;
      if (typedOnly) window.history.replaceState(null, '', next);
      else window.history.pushState(null, '', next);
    };
    sync();
    const unsubscribeList = useWorkflows.subscribe((s, before) => s.query !== before.query && sync());
    const unsubscribeCycle = useCycle.subscribe(
      (s, before) =>
        (s.workflowId !== before.workflowId ||
          s.selectedPhase !== before.selectedPhase ||
          s.historySearch !== before.historySearch) &&
        sync(),
    );
    const onAddress = () => {
      if (!window.location.hash.startsWith('#/workflows')) return;
      if (workflowsHash(viewFromAddress()) === workflowsHash(viewOnScreen())) return;
      applyAddress();
    };
    window.addEventListener('popstate', onAddress);
    window.addEventListener('hashchange', onAddress);
    return () => {
      unsubscribeList();
      unsubscribeCycle();
      window.removeEventListener('popstate', onAddress);
      window.removeEventListener('hashchange', onAddress);
    };
  }, []);
}

const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

/** `/` focuses the search; Escape closes the open cycle when nothing above it (a dialog, a drawer) is open. */
function useWorkflowsKeys(search: React.RefObject<HTMLInputElement | null>) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      // A dialog, drawer, menu or popover handles its own keys.
      if (document.querySelector('.MuiModal-root:not(.MuiModal-hidden)')) return;
      if (e.key === '/' && !isTyping(e.target)) {
        e.preventDefault();
        search.current?.focus();
        search.current?.select();
      } else if (e.key === 'Escape' && isTyping(e.target)) {
        (e.target as HTMLElement).blur();
      } else if (e.key === 'Escape' && useCycle.getState().workflowId) {
        const id = useCycle.getState().workflowId;
        useCycle.getState().open(undefined);
        // Back to the row the cycle was opened from.
        document
          .querySelector<HTMLElement>(`[data-testid=cycle-row][data-workflow-id="${CSS.escape(id!)}"]`)
          ?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [search]);
}

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

const Filters = memo(function Filters(props: { search: React.RefObject<HTMLInputElement | null> }) {
  const filter = useWorkflows((s) => s.query.filter);
  const setFilter = useWorkflows((s) => s.setFilter);
  const known = useWorkflows((s) => s.versions);
  // The versions cycles ran with, and the one a link chose even if none ran with it (so the field shows it).
  const versions = [...new Set([...(known ?? []), ...(filter.version ? [filter.version] : [])])].sort(
    (a, b) => a - b,
  );
  useEffect(() => {
    void useWorkflows.getState().loadVersions();
  }, []);
  const [text, setText] = useState(filter.text);
  // A search set from outside (a link, back/forward) replaces what is typed; one this field sent does not.
  const sent = useRef(filter.text);
  useEffect(() => {
    if (filter.text !== sent.current) {
      sent.current = filter.text;
      setText(filter.text);
    }
  }, [filter.text]);
  // The filters as typed go through the list's own schema: a text it refuses is not sent.
  const form = useContractForm(
    CycleListInputSchema,
    { ...filter, text },
    { labels: { text: 'Search' }, given: { text } },
  );
  const valid = form.valid;
  useEffect(() => useWorkflows.setState({ filterInvalid: !valid }), [valid]);
  useEffect(() => {
    const t = setTimeout(() => {
      if (!valid || text === filter.text) return;
      sent.current = text;
      setFilter({ text });
    }, 250);
    return () => clearTimeout(t);
  }, [text, filter.text, setFilter, valid]);
  return (
    <Stack
      direction="row"
      spacing={1}
      sx={{ my: 1, alignItems: 'flex-start' }}
      role="group"
      aria-label="Filter the test cycles"
      data-testid="filter-bar"
    >
      <TextField
        label="Search id, cycle, failure"
        value={text}
        onChange={(e) => setText(e.target.value)}
        {...form.field('text')}
        inputRef={props.search}
        slotProps={{
          htmlInput: { 'data-testid': 'filter-text', 'aria-keyshortcuts': '/' },
        }}
        placeholder="Press / to search"
      />
      <TextField
        select
        label="Status"
        value={filter.status}
        onChange={(e) => setFilter({ status: e.target.value as unknown as CycleStatus[] })}
        slotProps={{ select: { multiple: true }, htmlInput: { 'data-testid': 'filter-status' } }}
        sx={{ minWidth: 160 }}
      >
        {STATUSES.map((s) => (
          <MenuItem key={s} value={s}>
            {s}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        select
        label="Phase"
        value={filter.phase ?? ''}
        onChange={(e) => setFilter({ phase: (e.target.value || undefined) as typeof filter.phase })}
        slotProps={{ htmlInput: { 'data-testid': 'filter-phase' } }}
        sx={{ minWidth: 170 }}
      >
        <MenuItem value="">any</MenuItem>
        {PHASES.map((p) => (
          <MenuItem key={p.id} value={p.id}>
            {p.number}. {p.label}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        select
        label="Version"
        value={filter.version ?? ''}
        onChange={(e) => setFilter({ version: e.target.value ? Number(e.target.value) : undefined })}
        slotProps={{ htmlInput: { 'data-testid': 'filter-version' } }}
        sx={{ minWidth: 100 }}
      >
        <MenuItem value="">any</MenuItem>
        {versions.map((v) => (
          <MenuItem key={v} value={v}>
            v{v}
          </MenuItem>
        ))}
      </TextField>
      <DateRangeFilter from={filter.from} to={filter.to} onChange={(range) => setFilter(range)} />
    </Stack>
  );
});

// The graph and the history re-render only when their own data changes: a live phase change redraws the graph
// without re-rendering the whole history, and a history reload leaves the graph alone.
const CycleGraph = memo(PhaseGraph);
const CycleHistory = memo(HistoryTimeline);
const NO_PHASES: string[] = [];

// Memoised: the list's page loads re-render the page, not the open cycle.
const OpenCycle = memo(function OpenCycle() {
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

export function WorkflowsPage() {
  const list = useWorkflows();
  const stackState = useStack((s) => s.status?.state);
  const stackDown = stackState === 'stopped' || stackState === 'failed';
  const { live } = useFreshness();
  const [starting, setStarting] = useState(false);
  // A fresh form each time the dialog opens.
  const [startKey, setStartKey] = useState(0);
  const openCycle = useCycle((s) => s.open);
  const selected = useCycle((s) => s.workflowId);
  const search = useRef<HTMLInputElement>(null);
  useViewInAddress();
  useWorkflowsKeys(search);

  useEffect(() => {
    if (useWorkflows.getState().total === undefined) void useWorkflows.getState().reload();
  }, []);

  const open = useCallback((workflowId: string) => openCycle(workflowId), [openCycle]);
  const start = async (input: StartCycleInput) => {
    try {
      const { workflowId } = await list.startCycle(input);
      open(workflowId);
      return undefined;
    } catch (err) {
      return asFailure(err);
    }
  };
  const count = list.total === undefined ? '… cycles' : pluralize(list.total, 'cycle');

  return (
    <>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
        <Typography variant="h5" component="h1" sx={{ flex: 1 }}>
          Workflows
        </Typography>
        <Typography variant="body2" color="text.secondary" data-testid="cycle-total" data-live={live}>
          {live ? count : `${count} when last read`}
          {list.visibility ? '' : ' (Temporal visibility unavailable: tracked status shown)'}
        </Typography>
        <LiveIndicator syncedAt={list.syncedAt} />
        <CopyLinkButton />
        <OpenInWebUiButton refreshKey={stackState} size="medium" testId="open-workflows-in-web-ui" />
        <Button
          variant={list.batchMode ? 'contained' : 'outlined'}
          onClick={() => list.setBatchMode(!list.batchMode)}
          aria-pressed={list.batchMode}
          data-testid="batch-toggle"
        >
          Batch actions
        </Button>
        <Button
          variant="contained"
          startIcon={<AddIcon />}
          onClick={() => {
            setStartKey((k) => k + 1);
            setStarting(true);
          }}
          data-testid="start-cycle-open"
        >
          Start cycle
        </Button>
      </Stack>
      <Filters search={search} />
      {list.error && !stackDown && <ErrorAlert error={list.error} onClose={list.clearError} />}
      {list.batchMode && (
        <BatchPanel
          filterInvalid={list.filterInvalid}
          excluded={list.excluded.length}
          preview={list.batchPreview}
          results={list.batchResults}
          onPreview={(a) => void list.previewBatch(a)}
          onRun={(a) => void list.runBatch(a)}
        />
      )}
      {stackDown ? (
        <EmptyState title="No test cycles to show while the stack is stopped">
          Test cycles are read from the app DB and Temporal. Start the stack on the Stack page, then start a
          cycle with “Start cycle”.
        </EmptyState>
      ) : list.total === 0 && !list.loading ? (
        <EmptyState title="No test cycles match">
          Start a cycle with “Start cycle”, or clear the filters. Cycles appear here as soon as the worker
          tracks them.
        </EmptyState>
      ) : (
        <CycleTable
          total={list.total ?? 0}
          rowAt={list.rowAt}
          revision={list.pages}
          sort={list.query.sort}
          dir={list.query.dir}
          selected={selected}
          batchMode={list.batchMode}
          excluded={list.excluded}
          onRange={list.ensureRange}
          onSort={list.setSort}
          onOpen={open}
          onToggle={list.toggleExcluded}
          height={selected ? 240 : 560}
        />
      )}
      <OpenCycle />
      <WebUiFeedback />
      <StartCycleDialog
        key={startKey}
        open={starting}
        onClose={() => setStarting(false)}
        onStart={start}
        onCreateDemoData={list.createDemoData}
      />
    </>
  );
}
