// Workflows: every test cycle (filter, sort, page, batch) and the open cycle's live phase graph, actions,
// history and phase drawer on the same screen.
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import AddIcon from '@mui/icons-material/Add';
import { memo, useCallback, useDeferredValue, useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { type StartCycleInput } from '../../../main/api/contract';
import { ErrorAlert } from '../components/ErrorAlert';
import { EmptyState } from '../components/EmptyState';
import { BatchPanel } from '../components/inspection/BatchPanel';
import { CycleTable } from '../components/inspection/CycleTable';
import { LiveIndicator } from '../components/inspection/LiveIndicator';
import { StartCycleDialog } from '../components/inspection/StartCycleDialog';
import { CopyLinkButton } from '../components/CopyLinkButton';
import { pluralize } from '../inspection/pluralize';
import { useFreshness } from '../stores/live';
import { asFailure } from '../ops/client';
import { useCycle } from '../stores/cycle';
import { useStack } from '../stores/stack';
import { useWorkflows } from '../stores/workflows';
import { OpenInWebUiButton, WebUiFeedback } from '../components/WebUiButtons';
import { CycleFilters } from '../components/inspection/CycleFilters';
import { OpenCycle } from '../components/inspection/OpenCycle';
import { useViewInAddress, useWorkflowsKeys } from '../inspection/workflows-address';

/** The list's liveness, on its own: the list's reads change only its time, not the page. */
function ListLiveIndicator() {
  const syncedAt = useWorkflows((s) => s.syncedAt);
  return <LiveIndicator syncedAt={syncedAt} />;
}

function CycleCount() {
  const { live } = useFreshness();
  const total = useWorkflows((s) => s.total);
  const visibility = useWorkflows((s) => s.visibility);
  const count = total === undefined ? '… cycles' : pluralize(total, 'cycle');
  return (
    <Typography variant="body2" color="text.secondary" data-testid="cycle-total" data-live={live}>
      {live ? count : `${count} when last read`}
      {visibility ? '' : ' (Temporal visibility unavailable: tracked status shown)'}
    </Typography>
  );
}

function BatchSection() {
  const batch = useWorkflows(
    useShallow((s) => ({
      filterInvalid: s.filterInvalid,
      excluded: s.excluded.length,
      preview: s.batchPreview,
      results: s.batchResults,
    })),
  );
  return (
    <BatchPanel
      {...batch}
      onPreview={(a) => void useWorkflows.getState().previewBatch(a)}
      onRun={(a) => void useWorkflows.getState().runBatch(a)}
    />
  );
}

const Table = memo(CycleTable);

/** The list itself: the only part of the page a re-read of its rows re-renders. */
function CycleList({ stackDown, onOpen }: { stackDown: boolean; onOpen: (workflowId: string) => void }) {
  const list = useWorkflows(
    useShallow((s) => ({
      total: s.total,
      loading: s.loading,
      pages: s.pages,
      sort: s.query.sort,
      dir: s.query.dir,
      batchMode: s.batchMode,
      excluded: s.excluded,
    })),
  );
  const selected = useCycle((s) => s.workflowId);
  // A re-read's rows render in the background, interruptible: the open cycle's phase graph, the keyboard and the
  // pointer go first, and the rows follow within the frame or two it takes.
  const revision = useDeferredValue(list.pages);
  const total = useDeferredValue(list.total);
  const { rowAt, ensureRange, setSort, toggleExcluded } = useWorkflows.getState();
  if (stackDown) {
    return (
      <EmptyState title="No test cycles to show while the stack is stopped">
        Test cycles are read from the app DB and Temporal. Start the stack on the Stack page, then start a
        cycle with “Start cycle”.
      </EmptyState>
    );
  }
  if (total === 0 && !list.loading) {
    return (
      <EmptyState title="No test cycles match">
        Start a cycle with “Start cycle”, or clear the filters. Cycles appear here as soon as the worker
        tracks them.
      </EmptyState>
    );
  }
  return (
    <Table
      total={total ?? 0}
      rowAt={rowAt}
      revision={revision}
      sort={list.sort}
      dir={list.dir}
      selected={selected}
      batchMode={list.batchMode}
      excluded={list.excluded}
      onRange={ensureRange}
      onSort={setSort}
      onOpen={onOpen}
      onToggle={toggleExcluded}
      height={selected ? 240 : 560}
    />
  );
}

// The page reads only what its frame shows; the count, the list and the open cycle each read their own, so a live
// update re-renders the part it changes (the Start dialog, the filters and the buttons stay as they are).
export function WorkflowsPage() {
  const batchMode = useWorkflows((s) => s.batchMode);
  const error = useWorkflows((s) => s.error);
  const stackState = useStack((s) => s.status?.state);
  const stackDown = stackState === 'stopped' || stackState === 'failed';
  const [starting, setStarting] = useState(false);
  // A fresh form each time the dialog opens.
  const [startKey, setStartKey] = useState(0);
  const openCycle = useCycle((s) => s.open);
  const search = useRef<HTMLInputElement>(null);
  useViewInAddress();
  useWorkflowsKeys(search);

  useEffect(() => {
    if (useWorkflows.getState().total === undefined) void useWorkflows.getState().reload();
  }, []);

  const open = useCallback((workflowId: string) => openCycle(workflowId), [openCycle]);
  const start = useCallback(
    async (input: StartCycleInput) => {
      try {
        const { workflowId } = await useWorkflows.getState().startCycle(input);
        open(workflowId);
        return undefined;
      } catch (err) {
        return asFailure(err);
      }
    },
    [open],
  );

  return (
    <>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
        <Typography variant="h5" component="h1" sx={{ flex: 1 }}>
          Workflows
        </Typography>
        <CycleCount />
        <ListLiveIndicator />
        <CopyLinkButton />
        <OpenInWebUiButton refreshKey={stackState} size="medium" testId="open-workflows-in-web-ui" />
        <Button
          variant={batchMode ? 'contained' : 'outlined'}
          onClick={() => useWorkflows.getState().setBatchMode(!batchMode)}
          aria-pressed={batchMode}
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
      <CycleFilters search={search} />
      {error && !stackDown && <ErrorAlert error={error} onClose={useWorkflows.getState().clearError} />}
      {batchMode && <BatchSection />}
      <CycleList stackDown={stackDown} onOpen={open} />
      <OpenCycle />
      <WebUiFeedback />
      <StartCycleDialog
        key={startKey}
        open={starting}
        onClose={() => setStarting(false)}
        onStart={start}
        onCreateDemoData={useWorkflows.getState().createDemoData}
      />
    </>
  );
}
