// A service's log file: pages back lazily through the whole file as the operator scrolls up, time / level /
// message columns with the rest of a line folded (Enter or a click unfolds it), level and text filters, wrap and
// follow. Reads from disk through logs.read, so a 1 GB file costs what is on screen.
import Box from '@mui/material/Box';
import FormControlLabel from '@mui/material/FormControlLabel';
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import Switch from '@mui/material/Switch';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { LogEntry, LogLine } from '../../../main/api/contract';
import { useLogFile } from '../stores/logFile';
import { ErrorAlert } from './ErrorAlert';
import { LEVEL_COLOURS, LogLines } from './LogLines';

const ROW_HEIGHT = 20;
const LEVELS: Array<LogLine['level']> = ['error', 'warn', 'info', 'debug'];

function timeOf(line: LogEntry): string {
  if (!line.time) return ''.padEnd(12);
  const at = line.time.indexOf('T') === -1 ? line.time.indexOf(' ') : line.time.indexOf('T');
  return line.time.slice(at + 1, at + 13).padEnd(12);
}

export function FileLogViewer({ name, height = '60vh' }: { name: string; height?: number | string }) {
  const log = useLogFile();
  const [query, setQuery] = useState('');
  const [wrap, setWrap] = useState(false);
  const [follow, setFollow] = useState(true);
  const [open, setOpen] = useState<Set<number>>(new Set());
  const scroller = useRef<HTMLDivElement>(null);
  const firstOffset = useRef<number | undefined>(undefined);

  useEffect(() => {
    void useLogFile.getState().open(name);
    return () => useLogFile.getState().close();
  }, [name]);

  // The text filter goes to the back end a moment after typing stops.
  useEffect(() => {
    if (query === useLogFile.getState().text) return;
    const timer = setTimeout(() => void useLogFile.getState().setFilter({ text: query }), 300);
    return () => clearTimeout(timer);
  }, [query]);

  const virtualizer = useVirtualizer({
    count: log.lines.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 40,
    measureElement: (el) => el.getBoundingClientRect().height,
  });

  // Older lines arrive at the top: keep the line the operator was reading where it was.
  useLayoutEffect(() => {
    const first = log.lines[0]?.offset;
    const previous = firstOffset.current;
    firstOffset.current = first;
    if (previous === undefined || first === undefined || first === previous) return;
    const index = log.lines.findIndex((l) => l.offset === previous);
    if (index > 0) virtualizer.scrollToIndex(index, { align: 'start' });
  }, [log.lines, virtualizer]);

  useEffect(() => {
    if (follow && log.lines.length > 0) virtualizer.scrollToIndex(log.lines.length - 1, { align: 'end' });
  }, [follow, log.lines.length, virtualizer]);

  // Following stops when the operator scrolls up (wheel or keys), never because the list grew under the view.
  const onScroll = () => {
    const el = scroller.current;
    if (el && !follow && el.scrollTop < ROW_HEIGHT * 20) void log.loadOlder();
  };

  const toggle = (offset: number) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(offset)) next.delete(offset);
      else next.add(offset);
      return next;
    });

  return (
    <Box data-testid="file-log" sx={{ display: 'flex', flexDirection: 'column', height, minHeight: 0 }}>
      <Stack direction="row" spacing={1} sx={{ mb: 1, alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
        <TextField
          placeholder="Search the whole file"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          slotProps={{ htmlInput: { 'aria-label': 'Search the log file', 'data-testid': 'file-log-search' } }}
          sx={{ maxWidth: 280 }}
        />
        <ToggleButtonGroup
          size="small"
          value={log.levels}
          onChange={(_e, levels: Array<LogLine['level']>) => void log.setFilter({ levels })}
          aria-label="Levels shown (none selected: all)"
        >
          {LEVELS.map((level) => (
            <ToggleButton key={level} value={level} data-testid={`file-log-level-${level}`}>
              {level}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
        <FormControlLabel
          control={
            <Switch
              checked={wrap}
              onChange={(e) => setWrap(e.target.checked)}
              size="small"
              slotProps={{ input: { 'aria-label': 'Wrap long lines' } }}
              data-testid="file-log-wrap"
            />
          }
          label="Wrap"
        />
        <FormControlLabel
          control={
            <Switch
              checked={follow}
              onChange={(e) => setFollow(e.target.checked)}
              size="small"
              data-testid="file-log-follow"
            />
          }
          label="Follow"
        />
        <Typography
          variant="caption"
          color="text.secondary"
          data-testid="file-log-count"
          data-count={log.lines.length}
        >
          {log.lines.length.toLocaleString()} lines
          {log.atStart ? ' (from the start of the file)' : ', scroll up for older'} ·{' '}
          {(log.size / 1024 ** 2).toFixed(1)} MB
        </Typography>
      </Stack>
      {log.loading && <LinearProgress sx={{ mb: 0.5 }} />}
      {log.error && <ErrorAlert error={log.error} />}
      <LogLines
        scrollerRef={scroller}
        virtualizer={virtualizer}
        onScroll={onScroll}
        onWheel={(e) => e.deltaY < 0 && setFollow(false)}
        onKeyDown={(e) => ['ArrowUp', 'PageUp', 'Home'].includes(e.key) && setFollow(false)}
        tabIndex={0}
        aria-label={`Log of ${name}`}
        data-testid="file-log-lines"
        data-wrap={wrap}
        emptyText={
          log.lines.length === 0 && !log.loading
            ? log.text || log.levels.length
              ? 'No line matches.'
              : 'No log lines yet.'
            : undefined
        }
      >
        {(item) => {
          const line = log.lines[item.index] as LogEntry;
          const unfolded = open.has(line.offset);
          return (
            <Box
              key={line.offset}
              ref={virtualizer.measureElement}
              data-index={item.index}
              data-testid="file-log-line"
              data-level={line.level}
              role={line.rest ? 'button' : undefined}
              aria-expanded={line.rest ? unfolded : undefined}
              tabIndex={line.rest ? 0 : undefined}
              onClick={() => line.rest && toggle(line.offset)}
              onKeyDown={(e) => {
                if (line.rest && (e.key === 'Enter' || e.key === ' ')) {
                  e.preventDefault();
                  toggle(line.offset);
                }
              }}
              sx={{
                position: 'absolute',
                top: 0,
                left: 0,
                width: wrap ? '100%' : 'max-content',
                minWidth: '100%',
                transform: `translateY(${item.start}px)`,
                whiteSpace: wrap ? 'pre-wrap' : 'pre',
                wordBreak: wrap ? 'break-word' : 'normal',
                color: LEVEL_COLOURS[line.level],
                cursor: line.rest ? 'pointer' : 'default',
                lineHeight: `${ROW_HEIGHT}px`,
              }}
            >
              <Box component="span" sx={{ color: 'text.secondary' }}>
                {timeOf(line)} {line.level.padEnd(5)}{' '}
              </Box>
              {line.message}
              {line.rest && !unfolded && (
                <Box component="span" sx={{ color: 'text.disabled' }}>
                  {' '}
                  …
                </Box>
              )}
              {line.rest && unfolded && (
                <Box
                  component="pre"
                  data-testid="file-log-rest"
                  sx={{ m: 0, pl: 3, color: 'text.secondary' }}
                >
                  {line.rest}
                </Box>
              )}
            </Box>
          );
        }}
      </LogLines>
    </Box>
  );
}
