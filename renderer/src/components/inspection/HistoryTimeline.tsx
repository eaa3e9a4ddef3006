// The event history as a virtual timeline: pages of events load as the end scrolls into view, so 10,000+
// events stay smooth and are never capped; one event's attributes show beside the list.
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { styled } from '@mui/material/styles';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { HistoryEventView } from '../../../../main/api/contract';
import { MONO } from '../../theme';

const ROW = 26;

export function HistoryTimeline(props: {
  events: HistoryEventView[];
  complete: boolean;
  loading: boolean;
  stale: boolean;
  /** Why the history could not be read (none yet, or no longer): shown in place of the count. */
  missing?: string;
  onLoadMore: () => void;
  onReload: () => void;
  onExport: () => void;
  /** The search over the events, kept by the caller (the Workflows page puts it in the address). */
  search: string;
  onSearchChange: (text: string) => void;
  height?: number;
}) {
  const text = props.search;
  const [selected, setSelected] = useState<number | undefined>();
  const scrollRef = useRef<HTMLDivElement>(null);
  const shown = useMemo(() => {
    const t = text.trim().toLowerCase();
    return t ? props.events.filter((e) => `${e.type} ${e.summary}`.toLowerCase().includes(t)) : props.events;
  }, [props.events, text]);
  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW,
    overscan: 20,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? -1;
  const { onLoadMore, complete, loading, missing } = props;
  useEffect(() => {
    if (!complete && !loading && lastIndex >= shown.length - 50) onLoadMore();
  }, [lastIndex, shown.length, complete, loading, onLoadMore]);
  const current = props.events.find((e) => e.id === selected);

  return (
    <Box data-testid="history-timeline" data-count={props.events.length} data-complete={props.complete}>
      <Stack direction="row" spacing={1} sx={{ mb: 1, alignItems: 'center' }}>
        <TextField
          label="Search events"
          value={text}
          onChange={(e) => props.onSearchChange(e.target.value)}
          sx={{ maxWidth: 280 }}
          slotProps={{ htmlInput: { 'data-testid': 'history-search' } }}
        />
        <Typography
          variant="body2"
          color="text.secondary"
          sx={{ flex: 1 }}
          data-testid={missing ? 'history-missing' : undefined}
        >
          {missing ?? `${props.events.length} events${props.complete ? '' : ' loaded, more on scroll'}`}
        </Typography>
        {props.stale && (
          <Button onClick={props.onReload} color="info" data-testid="history-reload">
            New events: reload
          </Button>
        )}
        <Button onClick={props.onExport} data-testid="history-export">
          Export JSON
        </Button>
      </Stack>
      {props.loading && <LinearProgress />}
      <Box sx={{ display: 'flex', gap: 1 }}>
        <Box
          ref={scrollRef}
          sx={{
            flex: 1,
            height: props.height ?? 320,
            overflow: 'auto',
            border: 1,
            borderColor: 'divider',
            borderRadius: 1,
            contain: 'strict',
          }}
          data-testid="history-scroll"
        >
          <Box sx={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {items.map((item) => {
              const e = shown[item.index]!;
              return (
                <EventRow
                  key={e.id}
                  data-testid="history-event"
                  data-event-id={e.id}
                  tabIndex={0}
                  // aria-current, not aria-selected: a plain row has no role that allows a selection state.
                  aria-current={e.id === selected ? 'true' : undefined}
                  className={/Failed|TimedOut|Terminated|Canceled/.test(e.type) ? 'bad' : undefined}
                  onClick={() => setSelected(e.id)}
                  onKeyDown={(k) => k.key === 'Enter' && setSelected(e.id)}
                  style={{ transform: `translateY(${item.start}px)` }}
                >
                  <span className="mono">{e.id}</span>
                  <span>{e.time ? new Date(e.time).toLocaleTimeString() : ''}</span>
                  <span className="type">{e.type}</span>
                  <span>{e.summary}</span>
                </EventRow>
              );
            })}
          </Box>
        </Box>
        {current && (
          <Box
            component="pre"
            data-testid="history-event-detail"
            sx={{
              width: 360,
              height: props.height ?? 320,
              overflow: 'auto',
              m: 0,
              p: 1,
              border: 1,
              borderColor: 'divider',
              borderRadius: 1,
              fontFamily: MONO,
              fontSize: 11,
              whiteSpace: 'pre-wrap',
              wordBreak: 'break-all',
            }}
          >
            {JSON.stringify(current, null, 2)}
          </Box>
        )}
      </Box>
    </Box>
  );
}

// One class for every row; the offset is an inline style so scrolling creates no CSS rules.
const EventRow = styled('div')(({ theme }) => ({
  position: 'absolute',
  top: 0,
  left: 0,
  right: 0,
  height: ROW,
  display: 'grid',
  gridTemplateColumns: '56px 96px 220px 1fr',
  alignItems: 'center',
  gap: theme.spacing(1),
  padding: theme.spacing(0, 1),
  fontSize: 12,
  cursor: 'pointer',
  color: theme.palette.text.primary,
  '& > span': { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  '& .mono': { fontFamily: MONO },
  '& .type': { fontWeight: 600 },
  '&.bad': { color: theme.palette.error.main },
  '&[aria-current=true]': { backgroundColor: theme.palette.action.selected },
  '&:hover': { backgroundColor: theme.palette.action.hover },
}));
