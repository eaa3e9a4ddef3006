// A virtualised log view: follows the tail, searches, filters by source, copies, and keeps whitespace.
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import FormControlLabel from '@mui/material/FormControlLabel';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import Switch from '@mui/material/Switch';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import type { LogLine } from '../../../main/api/contract';
import { LEVEL_COLOURS, LogLines } from './LogLines';

const ROW_HEIGHT = 18;

export function LogViewer({
  lines,
  source,
  height = 360,
  testId = 'log-viewer',
}: {
  lines: LogLine[];
  source?: string;
  height?: number | string;
  testId?: string;
}) {
  const [query, setQuery] = useState('');
  const [sourceFilter, setSourceFilter] = useState(source ?? '');
  const [follow, setFollow] = useState(true);
  const [copied, setCopied] = useState(false);
  const deferredQuery = useDeferredValue(query);
  const sources = useMemo(() => [...new Set(lines.map((l) => l.source))].sort(), [lines]);
  const shown = useMemo(() => {
    const needle = deferredQuery.toLowerCase();
    return lines.filter(
      (l) =>
        (!sourceFilter || l.source === sourceFilter) && (!needle || l.message.toLowerCase().includes(needle)),
    );
  }, [lines, sourceFilter, deferredQuery]);

  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 30,
  });

  useEffect(() => {
    if (follow && shown.length > 0) virtualizer.scrollToIndex(shown.length - 1, { align: 'end' });
  }, [follow, shown.length, virtualizer]);

  const copy = async () => {
    await navigator.clipboard?.writeText(
      shown.map((l) => `${l.ts} ${l.source} ${l.level} ${l.message}`).join('\n'),
    );
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };

  return (
    <Box data-testid={testId} sx={{ display: 'flex', flexDirection: 'column', height, minHeight: 0 }}>
      <Stack direction="row" spacing={1} sx={{ mb: 1, alignItems: 'center' }}>
        <TextField
          placeholder="Search the log"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          slotProps={{ htmlInput: { 'aria-label': 'Search the log', 'data-testid': `${testId}-search` } }}
          sx={{ maxWidth: 320 }}
        />
        {!source && (
          <TextField
            select
            label="Source"
            value={sourceFilter}
            onChange={(e) => setSourceFilter(e.target.value)}
            sx={{ maxWidth: 200 }}
          >
            <MenuItem value="">All sources</MenuItem>
            {sources.map((s) => (
              <MenuItem key={s} value={s}>
                {s}
              </MenuItem>
            ))}
          </TextField>
        )}
        <FormControlLabel
          control={<Switch checked={follow} onChange={(e) => setFollow(e.target.checked)} size="small" />}
          label="Follow"
        />
        <Button onClick={() => void copy()} variant="outlined">
          {copied ? 'Copied' : 'Copy'}
        </Button>
        <Typography variant="caption" color="text.secondary" data-testid={`${testId}-count`}>
          {shown.length.toLocaleString()} of {lines.length.toLocaleString()} lines
        </Typography>
      </Stack>
      <LogLines
        scrollerRef={scroller}
        virtualizer={virtualizer}
        onWheel={() => setFollow(false)}
        tabIndex={0}
        aria-label="Log lines"
        emptyText={
          shown.length === 0 ? (lines.length === 0 ? 'No log lines yet.' : 'No line matches.') : undefined
        }
      >
        {(item) => {
          const line = shown[item.index] as LogLine;
          return (
            <Box
              key={line.seq}
              data-testid="log-line"
              sx={{
                position: 'absolute',
                top: 0,
                left: 0,
                width: '100%',
                height: ROW_HEIGHT,
                transform: `translateY(${item.start}px)`,
                whiteSpace: 'pre',
                color: LEVEL_COLOURS[line.level],
              }}
            >
              <Box component="span" sx={{ color: 'text.secondary' }}>
                {line.ts.slice(11, 23)} {line.source.padEnd(18)}
              </Box>
              {line.message}
            </Box>
          );
        }}
      </LogLines>
    </Box>
  );
}
