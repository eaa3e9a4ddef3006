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
import { memo, useCallback, useEffect, useState } from 'react';
import {
  CycleListInputSchema,
  PHASES,
  type CycleStatus,
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
import { useContractForm } from '../forms';
import { formatDuration, formatTime } from '../inspection/format';
import { asFailure } from '../ops/client';
import { useCycle } from '../stores/cycle';
import { useStack } from '../stores/stack';
import { useWorkflows } from '../stores/workflows';
import { MONO } from '../theme';
import { CopyTemporalCommandButton, OpenInWebUiButton, WebUiFeedback } from '../components/WebUiButtons';

const STATUSES: CycleStatus[] = ['running', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out'];

/** `#/workflows?open=<workflowId>` opens a cycle (the ledger links here). */
function openFromHash(): string | undefined {
  const query = window.location.hash.split('?')[1];
  return query ? (new URLSearchParams(query).get('open') ?? undefined) : undefined;
}

function download(name: string, value: unknown) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A datetime-local value as an ISO moment (the browser gives local time without a zone). */
function isoOf(local: string): string | undefined {
  const ms = Date.parse(local);
  return local && !Number.isNaN(ms) ? new Date(ms).toISOString() : undefined;
}
const localInput = (iso?: string) => (iso ? new Date(iso).toISOString().slice(0, 16) : '');

const Filters = memo(function Filters() {
  const filter = useWorkflows((s) => s.query.filter);
  const setFilter = useWorkflows((s) => s.setFilter);
  const [text, setText] = useState(filter.text);
  const [from, setFrom] = useState(localInput(filter.from));
  const [to, setTo] = useState(localInput(filter.to));
  // The filters as typed go through the list's own schema: a range that ends before it starts is not sent.
  const form = useContractForm(
    CycleListInputSchema,
    { ...filter, text, from: isoOf(from), to: isoOf(to) },
    {
      labels: { text: 'Search', from: 'Started from', to: 'Started to' },
      given: { text, from: isoOf(from), to: isoOf(to) },
    },
  );
  const valid = form.valid;
  useEffect(() => useWorkflows.setState({ filterInvalid: !valid }), [valid]);
  useEffect(() => {
    const t = setTimeout(() => valid && text !== filter.text && setFilter({ text }), 250);
    return () => clearTimeout(t);
  }, [text, filter.text, setFilter, valid]);
  useEffect(() => {
    const range = { from: isoOf(from), to: isoOf(to) };
    if (valid && (range.from !== filter.from || range.to !== filter.to)) setFilter(range);
  }, [from, to, filter.from, filter.to, setFilter, valid]);
  return (
    <Stack direction="row" spacing={1} sx={{ my: 1 }}>
      <TextField
        label="Search id, cycle, failure"
        value={text}
        onChange={(e) => setText(e.target.value)}
        {...form.field('text')}
        slotProps={{ htmlInput: { 'data-testid': 'filter-text' } }}
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
        sx={{ minWidth: 100 }}
      >
        <MenuItem value="">any</MenuItem>
        {[1, 2, 3].map((v) => (
          <MenuItem key={v} value={v}>
            v{v}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        type="datetime-local"
        label="Started from"
        value={from}
        onChange={(e) => setFrom(e.target.value)}
        {...form.field('from')}
        slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-testid': 'filter-from' } }}
      />
      <TextField
        type="datetime-local"
        label="Started to"
        value={to}
        onChange={(e) => setTo(e.target.value)}
        {...form.field('to')}
        sx={{ maxWidth: 340 }}
        slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-testid': 'filter-to' } }}
      />
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
  const onOpenPhase = useCallback((phase: string) => useCycle.getState().selectPhase(phase), []);
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
            {row.retries} retries · {row.compensations} compensations
          </Typography>
        )}
        <Box sx={{ flex: 1 }} />
        <OpenInWebUiButton workflowId={cycle.workflowId} runId={row?.runId} />
        <CopyTemporalCommandButton workflowId={cycle.workflowId} runId={row?.runId} />
        <LiveIndicator syncedAt={cycle.syncedAt} />
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
        waitingFor={detail?.waitingFor ?? []}
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
          onOpen={onOpenPhase}
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
        onReload={reloadHistory}
        onExport={exportHistory}
      />
      <PhaseDrawer
        phase={cycle.selectedPhase}
        detail={detail}
        history={cycle.history}
        onClose={() => cycle.selectPhase(undefined)}
      />
    </Paper>
  );
});

export function WorkflowsPage() {
  const list = useWorkflows();
  const stackState = useStack((s) => s.status?.state);
  const stackDown = stackState === 'stopped' || stackState === 'failed';
  const [starting, setStarting] = useState(false);
  // A fresh form each time the dialog opens.
  const [startKey, setStartKey] = useState(0);
  const openCycle = useCycle((s) => s.open);
  const selected = useCycle((s) => s.workflowId);

  useEffect(() => {
    if (useWorkflows.getState().total === undefined) void useWorkflows.getState().reload();
    const open = () => {
      const id = openFromHash();
      if (id) useCycle.getState().open(id);
    };
    open();
    window.addEventListener('hashchange', open);
    return () => window.removeEventListener('hashchange', open);
  }, []);

  const open = useCallback(
    (workflowId: string) => {
      openCycle(workflowId);
      window.history.replaceState(null, '', `#/workflows?open=${encodeURIComponent(workflowId)}`);
    },
    [openCycle],
  );
  const start = async (input: StartCycleInput) => {
    try {
      const { workflowId } = await list.startCycle(input);
      open(workflowId);
      return undefined;
    } catch (err) {
      return asFailure(err);
    }
  };

  return (
    <>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
        <Typography variant="h5" sx={{ flex: 1 }}>
          Workflows
        </Typography>
        <Typography variant="body2" color="text.secondary" data-testid="cycle-total">
          {list.total ?? '…'} cycles
          {list.visibility ? '' : ' (Temporal visibility unavailable: tracked status shown)'}
        </Typography>
        <LiveIndicator syncedAt={list.syncedAt} />
        <OpenInWebUiButton refreshKey={stackState} size="medium" testId="open-workflows-in-web-ui" />
        <Button
          variant={list.batchMode ? 'contained' : 'outlined'}
          onClick={() => list.setBatchMode(!list.batchMode)}
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
      <Filters />
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
