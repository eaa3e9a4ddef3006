// The virtualised cycles list: only the rows on screen exist in the DOM; pages are asked for as they scroll in.
import Box from '@mui/material/Box';
import Checkbox from '@mui/material/Checkbox';
import Typography from '@mui/material/Typography';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useRef, type KeyboardEvent } from 'react';
import { styled } from '@mui/material/styles';
import type { CycleRow, CycleStatus } from '../../../../main/api/contract';
import { PHASES } from '../../../../main/api/contract';
import { formatDuration, formatTime } from '../../inspection/format';
import { MONO } from '../../theme';
import type { CycleSort } from '../../stores/workflows';

export const ROW_HEIGHT = 34;
const RANGE_SETTLE_MS = 60;

const COLUMNS: Array<{ id: string; label: string; width: string; sort?: CycleSort }> = [
  { id: 'cycle', label: 'Cycle', width: '70px', sort: 'cycle' },
  { id: 'workflow', label: 'Workflow', width: 'minmax(140px, 1.4fr)' },
  { id: 'status', label: 'Status', width: '150px' },
  { id: 'phase', label: 'Current phase', width: 'minmax(140px, 1.2fr)' },
  { id: 'started', label: 'Started', width: 'minmax(150px, 1fr)', sort: 'started' },
  { id: 'duration', label: 'Duration', width: '90px', sort: 'duration' },
  { id: 'work', label: 'Work / waiting', width: '130px' },
  { id: 'retries', label: 'Retries', width: '70px', sort: 'retries' },
  { id: 'comp', label: 'Comp.', width: '60px' },
  { id: 'version', label: 'Ver.', width: '50px' },
];

const STATUS_COLOR: Record<CycleStatus, 'default' | 'info' | 'success' | 'error' | 'warning' | 'secondary'> =
  {
    running: 'info',
    completed: 'success',
    failed: 'error',
    cancelled: 'secondary',
    terminated: 'warning',
    timed_out: 'error',
    needs_attention: 'warning',
    compensation_failed: 'error',
    unknown: 'default',
  };

const LABELS = Object.fromEntries(PHASES.map((p) => [p.id, p.label]));

export function CycleTable(props: {
  total: number;
  rowAt: (index: number) => CycleRow | undefined;
  /** Changes whenever loaded rows change, so the visible rows re-render. */
  revision: unknown;
  sort: CycleSort;
  dir: 'asc' | 'desc';
  selected: string | undefined;
  batchMode: boolean;
  excluded: string[];
  onRange: (first: number, last: number) => void;
  onSort: (sort: CycleSort) => void;
  onOpen: (workflowId: string) => void;
  onToggle: (workflowId: string) => void;
  height: number | string;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: props.total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? 0;
  const { onRange } = props;
  // Ask for rows once the range has held still for a moment: a fling through 100,000 rows should not queue a
  // page read for every page it passes (the server and the browser share the machine).
  useEffect(() => {
    if (props.total <= 0) return;
    const timer = setTimeout(() => onRange(first, last), RANGE_SETTLE_MS);
    return () => clearTimeout(timer);
  }, [first, last, props.total, onRange]);

  const template = `${props.batchMode ? '42px ' : ''}${COLUMNS.map((c) => c.width).join(' ')}`;
  return (
    <Box
      sx={{
        border: 1,
        borderColor: 'divider',
        borderRadius: 1,
        overflow: 'hidden',
        bgcolor: 'background.paper',
      }}
      data-testid="cycle-table"
      data-total={props.total}
    >
      <Box
        role="row"
        sx={{
          display: 'grid',
          gridTemplateColumns: template,
          px: 1,
          py: 0.5,
          borderBottom: 1,
          borderColor: 'divider',
          bgcolor: 'action.hover',
        }}
      >
        {props.batchMode && <span />}
        {COLUMNS.map((c) => (
          <Typography
            key={c.id}
            variant="caption"
            role="columnheader"
            sx={{ fontWeight: 600, cursor: c.sort ? 'pointer' : 'default', userSelect: 'none' }}
            data-testid={`cycle-sort-${c.id}`}
            onClick={c.sort ? () => props.onSort(c.sort!) : undefined}
          >
            {c.label}
            {c.sort === props.sort ? (props.dir === 'asc' ? ' ▲' : ' ▼') : ''}
          </Typography>
        ))}
      </Box>
      <Box
        ref={scrollRef}
        sx={{ height: props.height, overflow: 'auto', contain: 'strict' }}
        data-testid="cycle-scroll"
      >
        <Box sx={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => (
            <CycleRowView
              key={item.key}
              index={item.index}
              start={item.start}
              row={props.rowAt(item.index)}
              template={template}
              selected={props.rowAt(item.index)?.workflowId === props.selected}
              batchMode={props.batchMode}
              included={!props.excluded.includes(props.rowAt(item.index)?.workflowId ?? '')}
              onOpen={props.onOpen}
              onToggle={props.onToggle}
            />
          ))}
        </Box>
      </Box>
    </Box>
  );
}

// Static styles: one class for every row; only the offset changes, and it goes in an inline style so
// scrolling never creates CSS rules.
const RowBox = styled('div')(({ theme }) => ({
  position: 'absolute',
  top: 0,
  left: 0,
  right: 0,
  height: ROW_HEIGHT,
  display: 'grid',
  alignItems: 'center',
  padding: theme.spacing(0, 1),
  borderBottom: `1px solid ${theme.palette.divider}`,
  cursor: 'pointer',
  fontSize: theme.typography.body2.fontSize,
  '& > span': { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  '&[aria-selected=true]': { backgroundColor: theme.palette.action.selected },
  '&:hover': { backgroundColor: theme.palette.action.hover },
  '&:focus-visible': { outline: `2px solid ${theme.palette.primary.main}`, outlineOffset: -2 },
  '& .mono': { fontFamily: MONO, fontSize: 12 },
  '& .warn': { color: theme.palette.warning.main },
  '& .comp': { color: theme.palette.secondary.main },
  // A still placeholder: an animated skeleton per row would repaint every frame while pages load.
  '& .placeholder': { gridColumn: '1 / -1', color: theme.palette.text.disabled },
  // A light status badge (a Chip per row costs frames when thousands scroll by).
  '& .status': {
    display: 'inline-block',
    padding: theme.spacing(0, 1),
    borderRadius: 10,
    fontSize: 12,
    lineHeight: '20px',
    backgroundColor: theme.palette.action.selected,
    color: theme.palette.text.primary,
  },
  ...Object.fromEntries(
    (['info', 'success', 'error', 'warning', 'secondary'] as const).map((c) => [
      `& .status.${c}`,
      { backgroundColor: theme.palette[c].main, color: theme.palette[c].contrastText },
    ]),
  ),
}));

const CycleRowView = memo(function CycleRowView(props: {
  index: number;
  start: number;
  row: CycleRow | undefined;
  template: string;
  selected: boolean;
  batchMode: boolean;
  included: boolean;
  onOpen: (workflowId: string) => void;
  onToggle: (workflowId: string) => void;
}) {
  const { row } = props;
  const style = { transform: `translateY(${props.start}px)`, gridTemplateColumns: props.template };
  if (!row) {
    return (
      <RowBox role="row" data-testid="cycle-row-loading" data-index={props.index} style={style}>
        <span className="placeholder">…</span>
      </RowBox>
    );
  }
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter') props.onOpen(row.workflowId);
  };
  return (
    <RowBox
      role="row"
      tabIndex={0}
      data-testid="cycle-row"
      data-workflow-id={row.workflowId}
      data-status={row.status}
      data-index={props.index}
      aria-selected={props.selected}
      onClick={() => props.onOpen(row.workflowId)}
      onKeyDown={onKey}
      style={style}
    >
      {props.batchMode && (
        <Checkbox
          size="small"
          checked={props.included}
          onClick={(e) => e.stopPropagation()}
          onChange={() => props.onToggle(row.workflowId)}
          slotProps={{ input: { 'aria-label': `Include ${row.workflowId}` } }}
        />
      )}
      <span>{row.cycleId ?? '—'}</span>
      <span className="mono">{row.workflowId}</span>
      <span>
        <span className={`status ${STATUS_COLOR[row.status]}`}>{row.status}</span>
      </span>
      <span>{row.currentPhase ? (LABELS[row.currentPhase] ?? row.currentPhase) : '—'}</span>
      <span>{formatTime(row.startedAt)}</span>
      <span>{formatDuration(row.durationMs)}</span>
      <span
        data-testid="cycle-work-waiting"
        title={`Finished phases: work ${formatDuration(row.activeMs)}, waiting for a person ${formatDuration(row.waitingMs)}`}
      >
        {formatDuration(row.activeMs)} / {formatDuration(row.waitingMs)}
      </span>
      <span className={row.retries ? 'warn' : undefined}>{row.retries}</span>
      <span className={row.compensations ? 'comp' : undefined}>{row.compensations}</span>
      <span>v{row.version}</span>
    </RowBox>
  );
});
