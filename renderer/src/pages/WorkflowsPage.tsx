// Workflows: every test cycle (filter, sort, page, batch) and the open cycle's live phase graph, actions,
// history and phase drawer on the same screen.
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import AddIcon from '@mui/icons-material/Add';
import { useCallback, useEffect, useRef, useState } from 'react';
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
      <CycleFilters search={search} />
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
