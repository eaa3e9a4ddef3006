// What both log views share: a scrolling, monospaced, virtualised list of lines coloured by level, or the words
// shown when there is no line. The live view (lines in memory) and the file view (pages read from disk) fill it.
import Box, { type BoxProps } from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { VirtualItem, Virtualizer } from '@tanstack/react-virtual';
import type { ReactNode, Ref } from 'react';
import type { LogLine } from '../../../main/api/contract';
import { MONO } from '../theme';

export const LEVEL_COLOURS: Record<LogLine['level'], string> = {
  debug: 'text.disabled',
  info: 'text.primary',
  warn: 'warning.main',
  error: 'error.main',
};

export function LogLines({
  scrollerRef,
  virtualizer,
  emptyText,
  children,
  ...box
}: Omit<BoxProps, 'children' | 'ref'> & {
  scrollerRef: Ref<HTMLDivElement>;
  virtualizer: Virtualizer<HTMLDivElement, Element>;
  /** Shown instead of the list when there is no line to show. */
  emptyText?: string;
  /** One line, placed at item.start. */
  children: (item: VirtualItem) => ReactNode;
}) {
  return (
    <Box
      ref={scrollerRef}
      {...box}
      sx={{
        flex: 1,
        overflow: 'auto',
        fontFamily: MONO,
        fontSize: 12,
        bgcolor: 'action.hover',
        borderRadius: 1,
        p: 1,
      }}
    >
      {emptyText !== undefined ? (
        <Typography variant="body2" color="text.secondary">
          {emptyText}
        </Typography>
      ) : (
        <Box sx={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map(children)}
        </Box>
      )}
    </Box>
  );
}
