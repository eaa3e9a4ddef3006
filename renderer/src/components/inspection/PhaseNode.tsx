// One phase on the graph: state, duration, attempts, next retry, last failure, ETA; focusable, opens the drawer.
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useTheme, type Theme } from '@mui/material/styles';
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import type { KeyboardEvent } from 'react';
import type { CompensationEntry, PhaseStateView } from '../../../../main/api/contract';
import { formatDuration, relative } from '../../inspection/format';
import { useNow } from '../../inspection/use-now';
import { phaseTime, stepWords } from '../../inspection/phase-time';
import { NODE_HEIGHT, NODE_WIDTH } from '../../inspection/graph-layout';
import { stateColor } from './phase-colors';

export type PhaseNodeData = {
  number: number;
  label: string;
  view: PhaseStateView | undefined;
  compensations: CompensationEntry[];
  /** Each compensation's place in the order the worker ran them (the number on its arc). */
  orders: number[];
  selected: boolean;
  onOpen: (phase: string) => void;
};

export type PhaseFlowNode = Node<PhaseNodeData, 'phase'>;

const hidden = { opacity: 0, pointerEvents: 'none' as const };

/**
 * The state chip's fill: the state's colour, except that a pending or skipped phase (drawn in the translucent
 * disabled colour) gets a solid grey its label can be read on in either theme.
 */
function chipColor(theme: Theme, state: string, color: string): string {
  if (state !== 'pending' && state !== 'skipped') return color;
  return theme.palette.mode === 'dark' ? theme.palette.grey[400] : theme.palette.grey[700];
}

export function PhaseNode({ id, data }: NodeProps<PhaseFlowNode>) {
  const theme = useTheme();
  const view = data.view;
  const state = view?.state ?? 'pending';
  const live = state === 'running' || state === 'retrying';
  const now = useNow(live);
  const color = stateColor(theme, state);
  // Work and waiting for a person apart: a phase that waits for someone is not slow.
  const time = phaseTime(view, now);
  const open = () => data.onOpen(id);
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      open();
    }
  };
  return (
    <Box
      role="button"
      tabIndex={0}
      // No aria-label: the node is named by what it shows (number, name, state, times), so speech and sight agree.
      data-testid={`phase-node-${id}`}
      data-state={state}
      onKeyDown={onKey}
      sx={{
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
        boxSizing: 'border-box',
        px: 1.25,
        py: 0.75,
        borderRadius: 1,
        border: 2,
        borderColor: color,
        borderStyle: state === 'skipped' ? 'dashed' : 'solid',
        bgcolor: 'background.paper',
        color: 'text.primary',
        opacity: state === 'skipped' ? 0.6 : 1,
        boxShadow: data.selected ? `0 0 0 3px ${theme.palette.primary.main}` : 'none',
        cursor: 'pointer',
        outline: 'none',
        '&:focus-visible': { boxShadow: `0 0 0 3px ${theme.palette.primary.main}` },
        display: 'flex',
        flexDirection: 'column',
        overflow: 'hidden',
        // Secondary lines at the body size too: the graph opens at full size, so this is what the operator reads.
        '& .MuiTypography-caption': { fontSize: theme.typography.body2.fontSize, lineHeight: 1.45 },
      }}
    >
      <Handle type="target" position={Position.Left} style={hidden} />
      <Handle type="source" position={Position.Right} style={hidden} />
      <Handle id="comp-in" type="target" position={Position.Top} style={hidden} />
      <Handle id="comp-out" type="source" position={Position.Top} style={hidden} />
      {/* The full name, wrapped, never cut: "Data Owner Identification" reads whole. */}
      <Typography
        variant="body1"
        data-testid={`phase-label-${id}`}
        sx={{ fontWeight: 600, lineHeight: 1.3, overflowWrap: 'anywhere', minHeight: '2.6em' }}
      >
        <Box component="span" sx={{ color: 'text.secondary', mr: 0.75 }}>
          {data.number}.
        </Box>
        {data.label}
      </Typography>
      <Box
        sx={{
          display: 'flex',
          alignItems: 'center',
          gap: 0.75,
          my: 0.25,
          whiteSpace: 'nowrap',
          '& .MuiChip-label': { px: 0.75 },
        }}
      >
        <Chip
          size="small"
          label={state}
          data-testid={`phase-state-${id}`}
          sx={{
            bgcolor: chipColor(theme, state, color),
            color: theme.palette.getContrastText(chipColor(theme, state, color)),
            height: 22,
            fontSize: theme.typography.body2.fontSize,
          }}
        />
        <Tooltip describeChild title="Work: the phase's activities, retries and backoff included">
          <Typography variant="caption" data-testid={`phase-active-${id}`}>
            {formatDuration(time.activeMs)}
          </Typography>
        </Tooltip>
        {view && view.attempts > 0 && (
          <Typography variant="caption" color={view.attempts > 1 ? 'warning.main' : 'text.secondary'}>
            try {view.attempts}/{view.maxAttempts}
          </Typography>
        )}
      </Box>
      {(time.waitingFor || (time.waitingMs ?? 0) > 0) && (
        <Tooltip
          describeChild
          title={
            time.waitingFor
              ? `Waiting for ${stepWords(time.waitingFor)}: time a person takes is not the phase's work`
              : "Waited for a person: not counted as the phase's work"
          }
        >
          <Typography variant="caption" color="info.main" data-testid={`phase-waiting-${id}`} noWrap>
            {time.waitingFor ? 'waiting for a person' : 'waited for a person'}{' '}
            {formatDuration(time.waitingMs)}
          </Typography>
        </Tooltip>
      )}
      {view?.nextRetryAt && (
        <Typography variant="caption" color="warning.main">
          next retry {relative(view.nextRetryAt, now)}
        </Typography>
      )}
      {live && view?.eta && (
        <Typography variant="caption" color="text.secondary" data-testid={`phase-eta-${id}`}>
          ETA p50 {relative(view.eta.p50At, now)} · p90 {relative(view.eta.p90At, now)}
        </Typography>
      )}
      {data.compensations.map((c, i) => (
        <Typography
          key={c.id}
          variant="caption"
          color={c.outcome === 'failed' ? 'error.main' : 'secondary.main'}
          noWrap
          data-testid={`phase-compensation-${c.phase}`}
          data-outcome={c.outcome}
        >
          ↶ {data.orders[i]} {c.strategy.replace('_', ' ')} · {c.outcome}
        </Typography>
      ))}
      {view?.lastFailure && (
        <Tooltip describeChild title={view.lastFailure}>
          <Typography variant="caption" color="error.main" noWrap>
            {view.lastFailure}
          </Typography>
        </Tooltip>
      )}
    </Box>
  );
}

export type JoinNodeData = { waitingFor: string[]; labels: Record<string, string> };
export type JoinFlowNode = Node<JoinNodeData, 'join'>;

/** Where the parallel branches meet: says which branch it still waits for. */
export function JoinNode({ data }: NodeProps<JoinFlowNode>) {
  const waiting = data.waitingFor.map((id) => data.labels[id] ?? id);
  return (
    <Tooltip
      title={
        waiting.length ? `Waiting for ${waiting.join(' and ')}` : 'Join: both branches done or not started'
      }
    >
      <Box
        data-testid="phase-join"
        data-waiting={data.waitingFor.join(',')}
        tabIndex={0}
        aria-label={waiting.length ? `Join waiting for ${waiting.join(' and ')}` : 'Join'}
        sx={{
          width: 34,
          height: 34,
          borderRadius: '50%',
          border: 2,
          borderColor: waiting.length ? 'info.main' : 'divider',
          bgcolor: 'background.paper',
          display: 'grid',
          placeItems: 'center',
          position: 'relative',
          fontSize: 12,
          color: 'text.secondary',
        }}
      >
        <Handle type="target" position={Position.Left} style={hidden} />
        <Handle type="source" position={Position.Right} style={hidden} />⋈
        {waiting.length > 0 && (
          <Typography
            variant="caption"
            color="info.main"
            sx={{
              position: 'absolute',
              top: 38,
              width: 110,
              textAlign: 'center',
              left: -38,
              lineHeight: 1.3,
            }}
          >
            waiting for {waiting.join(', ')}
          </Typography>
        )}
      </Box>
    </Tooltip>
  );
}
