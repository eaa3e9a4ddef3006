// The virtualised cycles list: only the rows on screen exist in the DOM; pages are asked for as they scroll in.
import Box from '@mui/material/Box';
import Checkbox from '@mui/material/Checkbox';
import Chip from '@mui/material/Chip';
import Skeleton from '@mui/material/Skeleton';
import Typography from '@mui/material/Typography';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { CycleRow, CycleStatus } from '../../../../main/api/contract';
import { PHASES } from '../../../../main/api/contract';
import { formatDuration, formatTime } from '../../inspection/format';
import { MONO } from '../../theme';
import type { CycleSort } from '../../stores/workflows';

export const ROW_HEIGHT = 34;

const COLUMNS: Array<{ id: string; label: string; width: string; sort?: CycleSort }> = [
  { id: 'cycle', label: 'Cycle', width: '70px', sort: 'cycle' },
  { id: 'workflow', label: 'Workflow', width: 'minmax(140px, 1.4fr)' },
  { id: 'status', label: 'Status', width: '110px' },
  { id: 'phase', label: 'Current phase', width: 'minmax(140px, 1.2fr)' },
  { id: 'started', label: 'Started', width: 'minmax(150px, 1fr)', sort: 'started' },
  { id: 'duration', label: 'Duration', width: '90px', sort: 'duration' },
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
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? 0;
  const { onRange } = props;
  useEffect(() => {
    if (props.total > 0) onRange(first, last);
  }, [first, last, props.total, onRange]);

  const template = `${props.batchMode ? '42px ' : ''}${COLUMNS.map((c) => c.width).join(' ')}`;
  const onKey = (e: KeyboardEvent, id: string) => {
    if (e.key === 'Enter') props.onOpen(id);
  };
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
          {items.map((item) => {
            const row = props.rowAt(item.index);
            return (
              <Box
                key={item.key}
                role="row"
                tabIndex={row ? 0 : -1}
                data-testid={row ? 'cycle-row' : 'cycle-row-loading'}
                data-workflow-id={row?.workflowId}
                data-status={row?.status}
                data-index={item.index}
                aria-selected={row?.workflowId === props.selected}
                onClick={row ? () => props.onOpen(row.workflowId) : undefined}
                onKeyDown={row ? (e) => onKey(e, row.workflowId) : undefined}
                sx={{
                  position: 'absolute',
                  top: 0,
                  left: 0,
                  right: 0,
                  height: ROW_HEIGHT,
                  transform: `translateY(${item.start}px)`,
                  display: 'grid',
                  gridTemplateColumns: template,
                  alignItems: 'center',
                  px: 1,
                  borderBottom: 1,
                  borderColor: 'divider',
                  cursor: 'pointer',
                  bgcolor: row?.workflowId === props.selected ? 'action.selected' : undefined,
                  '&:hover': { bgcolor: 'action.hover' },
                  '&:focus-visible': {
                    outline: 2,
                    outlineColor: 'primary.main',
                    outlineStyle: 'solid',
                    outlineOffset: -2,
                  },
                }}
              >
                {row ? (
                  <>
                    {props.batchMode && (
                      <Checkbox
                        size="small"
                        checked={!props.excluded.includes(row.workflowId)}
                        onClick={(e) => e.stopPropagation()}
                        onChange={() => props.onToggle(row.workflowId)}
                        slotProps={{ input: { 'aria-label': `Include ${row.workflowId}` } }}
                      />
                    )}
                    <Typography variant="body2">{row.cycleId ?? '—'}</Typography>
                    <Typography variant="body2" noWrap sx={{ fontFamily: MONO, fontSize: 12 }}>
                      {row.workflowId}
                    </Typography>
                    <span>
                      <Chip
                        size="small"
                        label={row.status}
                        color={STATUS_COLOR[row.status]}
                        sx={{ height: 20 }}
                      />
                    </span>
                    <Typography variant="body2" noWrap>
                      {row.currentPhase ? (LABELS[row.currentPhase] ?? row.currentPhase) : '—'}
                    </Typography>
                    <Typography variant="body2" noWrap>
                      {formatTime(row.startedAt)}
                    </Typography>
                    <Typography variant="body2">{formatDuration(row.durationMs)}</Typography>
                    <Typography variant="body2" color={row.retries ? 'warning.main' : undefined}>
                      {row.retries}
                    </Typography>
                    <Typography variant="body2" color={row.compensations ? 'secondary.main' : undefined}>
                      {row.compensations}
                    </Typography>
                    <Typography variant="body2">v{row.version}</Typography>
                  </>
                ) : (
                  <Skeleton sx={{ gridColumn: '1 / -1' }} />
                )}
              </Box>
            );
          })}
        </Box>
      </Box>
    </Box>
  );
}
