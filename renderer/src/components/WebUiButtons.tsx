// "Open in Temporal Web UI" and "Copy temporal CLI command": for a cycle, the workflows list or the UI's card.
import { useEffect } from 'react';
import Button from '@mui/material/Button';
import Snackbar from '@mui/material/Snackbar';
import Tooltip from '@mui/material/Tooltip';
import OpenInNewIcon from '@mui/icons-material/OpenInNew';
import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import { ErrorAlert } from './ErrorAlert';
import { linksFor, useWebUi } from '../stores/web-ui';

/** Opens the UI's page for a workflow (or the namespace's workflows list when no workflow is given). */
export function OpenInWebUiButton(props: {
  workflowId?: string;
  runId?: string;
  /** Changes when the stack or its settings change, so the address is read again. */
  refreshKey?: unknown;
  size?: 'small' | 'medium';
  testId?: string;
}) {
  const { workflowId, runId, refreshKey } = props;
  const links = useWebUi(linksFor(workflowId, runId));
  const load = useWebUi((s) => s.load);
  useEffect(() => void load(workflowId, runId), [load, workflowId, runId, refreshKey]);
  const url = workflowId ? links?.workflowUrl : links?.workflowsUrl;
  const button = (
    <Button
      size={props.size ?? 'small'}
      startIcon={<OpenInNewIcon />}
      disabled={!url}
      href={url ?? ''}
      target="_blank"
      rel="noopener noreferrer"
      onClick={(event) => {
        if (url && useWebUi.getState().openInShell(url)) event.preventDefault();
      }}
      data-testid={props.testId ?? 'open-in-web-ui'}
    >
      Open in Temporal Web UI
    </Button>
  );
  // A disabled button gets no pointer events: the tooltip needs a wrapper to say why.
  return links && !links.available ? (
    <Tooltip title={links.reason ?? ''}>
      <span>{button}</span>
    </Tooltip>
  ) : (
    button
  );
}

export function CopyTemporalCommandButton(props: { workflowId: string; runId?: string }) {
  const links = useWebUi(linksFor(props.workflowId, props.runId));
  const copy = useWebUi((s) => s.copy);
  return (
    <Tooltip title={links?.cliCommand ?? ''}>
      <span>
        <Button
          size="small"
          startIcon={<ContentCopyIcon />}
          disabled={!links?.cliCommand}
          onClick={() => links?.cliCommand && void copy(links.cliCommand)}
          data-testid="copy-temporal-command"
        >
          Copy <code style={{ margin: '0 0.3em' }}>temporal</code> CLI command
        </Button>
      </span>
    </Tooltip>
  );
}

/** Feedback for the buttons above: the copy confirmation and any refusal. Rendered once per page. */
export function WebUiFeedback() {
  const error = useWebUi((s) => s.error);
  const copied = useWebUi((s) => s.copied);
  const clear = useWebUi((s) => s.clear);
  return (
    <>
      {error && <ErrorAlert error={error} onClose={clear} />}
      <Snackbar
        open={Boolean(copied)}
        autoHideDuration={4000}
        onClose={clear}
        message="temporal CLI command copied"
        data-testid="copied-temporal-command"
      />
    </>
  );
}
