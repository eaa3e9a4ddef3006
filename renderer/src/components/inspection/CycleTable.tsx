// The virtualised cycles list: only the rows on screen exist in the DOM; pages are asked for as they scroll in.
import Box from '@mui/material/Box';
import ButtonBase from '@mui/material/ButtonBase';
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

  // j / k move through the list (the rows on screen are the only ones in the DOM: scroll the next one in, then
  // focus it); Enter on a row opens it.
  const { total } = props;
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if ((e.key !== 'j' && e.key !== 'k') || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented)
        return;
      const target = e.target as HTMLElement | null;
      if (target?.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target?.tagName ?? ''))
        return;
      if (document.querySelector('.MuiModal-root:not(.MuiModal-hidden)') || total === 0) return;
      const focused = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>(
        '[data-testid=cycle-row]',
      );
      const selectedRow = scrollRef.current?.querySelector<HTMLElement>(
        '[data-testid=cycle-row][aria-selected=true]',
      );
      const from = Number((focused ?? selectedRow)?.dataset.index ?? -1);
      const next = Math.min(total - 1, Math.max(0, from + (e.key === 'j' ? 1 : -1)));
      e.preventDefault();
      virtualizer.scrollToIndex(next, { align: 'auto' });
      let tries = 0;
      const focusRow = () => {
        const row = scrollRef.current?.querySelector<HTMLElement>(`[data-index="${next}"]`);
        if (row?.dataset.testid === 'cycle-row') row.focus({ preventScroll: false });
        else if (tries++ < 20) requestAnimationFrame(focusRow);
      };
      focusRow();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [total, virtualizer]);

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
      role="grid"
      aria-label="Test cycles (j and k move, Enter opens)"
      aria-rowcount={props.total + 1}
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
        {props.batchMode && <span role="columnheader" aria-label="Included" />}
        {COLUMNS.map((c) => (
          <Typography
            key={c.id}
            variant="caption"
            role="columnheader"
            aria-sort={
              c.sort && c.sort === props.sort ? (props.dir === 'asc' ? 'ascending' : 'descending') : undefined
            }
            sx={{ fontWeight: 600, userSelect: 'none' }}
            data-testid={`cycle-sort-${c.id}`}
          >
            {c.sort ? (
              // A real button: sorting is reachable with Tab and Enter, not only with the mouse.
              <ButtonBase
                onClick={() => props.onSort(c.sort!)}
                sx={{ font: 'inherit', fontWeight: 600, borderRadius: 0.5, px: 0.25 }}
                aria-label={`Sort by ${c.label}`}
              >
                {c.label}
                {c.sort === props.sort ? (props.dir === 'asc' ? ' ▲' : ' ▼') : ''}
              </ButtonBase>
            ) : (
              c.label
            )}
          </Typography>
        ))}
      </Box>
      <Box
        ref={scrollRef}
        sx={{ height: props.height, overflow: 'auto', contain: 'strict' }}
        data-testid="cycle-scroll"
        role="rowgroup"
      >
        <Box sx={{ height: virtualizer.getTotalSize(), position: 'relative' }} role="presentation">
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
        <span className="placeholder" role="gridcell">
          …
        </span>
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
      aria-rowindex={props.index + 2}
      onClick={() => props.onOpen(row.workflowId)}
      onKeyDown={onKey}
      style={style}
    >
      {props.batchMode && (
        <span role="gridcell">
          <Checkbox
            size="small"
            checked={props.included}
            onClick={(e) => e.stopPropagation()}
            onKeyDown={(e) => e.stopPropagation()}
            onChange={() => props.onToggle(row.workflowId)}
            slotProps={{ input: { 'aria-label': `Include ${row.workflowId}` } }}
          />
        </span>
      )}
      <span role="gridcell">{row.cycleId ?? '—'}</span>
      <span role="gridcell" className="mono">
        {row.workflowId}
      </span>
      <span role="gridcell">
        <span className={`status ${STATUS_COLOR[row.status]}`}>{row.status}</span>
      </span>
      <span role="gridcell">{row.currentPhase ? (LABELS[row.currentPhase] ?? row.currentPhase) : '—'}</span>
      <span role="gridcell">{formatTime(row.startedAt)}</span>
      <span role="gridcell">{formatDuration(row.durationMs)}</span>
      <span
        role="gridcell"
        data-testid="cycle-work-waiting"
        title={`Finished phases: work ${formatDuration(row.activeMs)}, waiting for a person ${formatDuration(row.waitingMs)}`}
      >
        {formatDuration(row.activeMs)} / {formatDuration(row.waitingMs)}
      </span>
      <span role="gridcell" className={row.retries ? 'warn' : undefined}>
        {row.retries}
      </span>
      <span role="gridcell" className={row.compensations ? 'comp' : undefined}>
        {row.compensations}
      </span>
      <span role="gridcell">v{row.version}</span>
    </RowBox>
  );
});
