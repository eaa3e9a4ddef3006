// The 8 phases as a graph laid out from the phase definitions in rows that fit the panel at full size; live
// states on the nodes, compensation drawn over it as arcs (in the order the worker ran them) routed around the
// nodes. It opens fitted for every cycle and refits on resize; the wheel scrolls the page unless the graph has
// focus or Ctrl/⌘ is held.
import Box from '@mui/material/Box';
import IconButton from '@mui/material/IconButton';
import Stack from '@mui/material/Stack';
import Tooltip from '@mui/material/Tooltip';
import { useTheme } from '@mui/material/styles';
import AddIcon from '@mui/icons-material/Add';
import RemoveIcon from '@mui/icons-material/Remove';
import FitScreenIcon from '@mui/icons-material/FitScreen';
import { Background, MarkerType, ReactFlow, ReactFlowProvider, useReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { PHASES, type PhaseStateView, type PhaseStatesView } from '../../../../main/api/contract';
import { fitViewport, graphSpec, MARGIN, RANK_GAP, routeGraph } from '../../inspection/graph-layout';
import { JoinNode, PhaseNode, type JoinFlowNode, type PhaseFlowNode } from './PhaseNode';
import { RoutedEdge, type RoutedFlowEdge } from './RoutedEdge';
import { stateColor } from './phase-colors';

const nodeTypes = { phase: PhaseNode, join: JoinNode };
const edgeTypes = { routed: RoutedEdge };
const nodeCache = new WeakMap<PhaseStateView, PhaseFlowNode>();
// ReactFlow's props kept the same objects from render to render: a new one re-renders (or re-subscribes) its parts.
const PRO_OPTIONS = { hideAttribution: true };
const ZOOM_KEYS = ['Meta', 'Control'];
const DONE_STATES = new Set(['completed', 'compensated']);
const LABELS = Object.fromEntries(PHASES.map((p) => [p.id, p.label]));
/** Until the panel is measured: wide enough for the common window. */
const DEFAULT_WIDTH = 1100;
const MIN_HEIGHT = 220;

export interface PhaseGraphProps {
  view: PhaseStatesView | undefined;
  skipped: string[];
  selectedPhase: string | undefined;
  onSelectPhase: (phase: string | undefined) => void;
}

export function PhaseGraph(props: PhaseGraphProps) {
  return (
    <ReactFlowProvider>
      <PhaseGraphInner {...props} />
    </ReactFlowProvider>
  );
}

function PhaseGraphInner(props: PhaseGraphProps) {
  const theme = useTheme();
  const { view, selectedPhase, onSelectPhase } = props;
  const flow = useReactFlow();
  const panelRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(DEFAULT_WIDTH);
  const [focused, setFocused] = useState(false);

  useLayoutEffect(() => {
    const el = panelRef.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(320, Math.round(el.clientWidth)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const skippedKey = props.skipped.join(',');
  const compensations = view?.compensations;
  const arcsKey = (compensations ?? []).map((c, i) => `${c.phase}|↶ ${i + 1}`).join('\n');
  const layout = useMemo(() => {
    const arcs = arcsKey
      ? arcsKey.split('\n').map((line) => {
          const [phase, label] = line.split('|') as [string, string];
          return { phase, label };
        })
      : [];
    // Room for the wrap's corridor on the left and the margins: the rows then fit at full size.
    const maxRowWidth = width - RANK_GAP / 2 - 2 * MARGIN - 8;
    return routeGraph(graphSpec(skippedKey ? skippedKey.split(',') : []), {
      maxRowWidth,
      compensations: arcs,
    });
  }, [skippedKey, arcsKey, width]);
  const height = Math.max(MIN_HEIGHT, Math.ceil(layout.bounds.height));

  const onOpen = useCallback((phase: string) => onSelectPhase(phase), [onSelectPhase]);
  const onNodeClick = useCallback(
    (_: unknown, node: PhaseFlowNode | JoinFlowNode) => {
      if (node.type === 'phase') onSelectPhase(node.id);
    },
    [onSelectPhase],
  );

  const joinKey = view?.joinWaitingFor.join(',') ?? '';
  const joinCache = useRef<{ key: string; node: JoinFlowNode } | undefined>(undefined);
  const nodes = useMemo(
    () =>
      layout.nodes.map((n): PhaseFlowNode | JoinFlowNode => {
        if (n.kind === 'join') {
          // The same node while it waits for the same branches: a phase's change does not redraw it.
          const key = `${n.id}@${n.x},${n.y}:${joinKey}`;
          if (joinCache.current?.key === key) return joinCache.current.node;
          const node: JoinFlowNode = {
            id: n.id,
            type: 'join',
            position: { x: n.x, y: n.y },
            data: { waitingFor: joinKey ? joinKey.split(',') : [], labels: LABELS },
            draggable: false,
            selectable: false,
          };
          joinCache.current = { key, node };
          return node;
        }
        const def = PHASES.find((p) => p.id === n.id)!;
        const phaseView = view?.phases.find((p) => p.phase === n.id);
        const phaseComps = compensations?.filter((c) => c.phase === n.id) ?? [];
        const orders = phaseComps.map((c) => compensations!.indexOf(c) + 1);
        const selected = selectedPhase === n.id;
        // Reuse the node while nothing it shows changed, so a live update re-renders only the phase it names.
        const cached = phaseView && nodeCache.get(phaseView);
        if (
          cached &&
          cached.position.x === n.x &&
          cached.position.y === n.y &&
          cached.data.selected === selected &&
          cached.data.onOpen === onOpen &&
          cached.data.compensations.length === phaseComps.length
        )
          return cached;
        const node: PhaseFlowNode = {
          id: n.id,
          type: 'phase',
          position: { x: n.x, y: n.y },
          data: {
            number: def.number,
            label: def.label,
            view: phaseView,
            compensations: phaseComps,
            orders,
            selected,
            onOpen,
          },
          draggable: false,
          selectable: false,
        };
        if (phaseView) nodeCache.set(phaseView, node);
        return node;
      }),
    [layout, view, joinKey, compensations, selectedPhase, onOpen],
  );

  // The edges follow only which phases are done (an edge from a done phase is drawn green), not every change of
  // the view: a live update that completes no phase leaves them, and xyflow's arrowhead markers, as they are.
  const doneKey = (view?.phases ?? [])
    .filter((p) => DONE_STATES.has(p.state))
    .map((p) => p.phase)
    .join(',');
  const edges = useMemo((): RoutedFlowEdge[] => {
    const done = new Set(doneKey.split(','));
    const compColor = stateColor(theme, 'compensated');
    return layout.edges.map((e) => {
      if (e.kind === 'compensation') {
        const order = Number(e.label?.replace(/\D/g, ''));
        const entry = compensations?.[order - 1];
        const title = entry
          ? `Step ${order} of the compensation: ${LABELS[entry.phase] ?? entry.phase}, ${entry.strategy.replace('_', ' ')} · ${entry.outcome}`
          : undefined;
        return {
          id: e.id,
          source: e.source,
          target: e.target,
          type: 'routed',
          sourceHandle: 'comp-out',
          targetHandle: 'comp-in',
          animated: true,
          className: 'compensation-edge',
          style: { stroke: compColor, strokeWidth: 2 },
          markerEnd: { type: MarkerType.ArrowClosed, color: compColor },
          data: {
            points: e.points,
            labelAt: e.labelAt,
            label: e.label,
            title,
            color: compColor,
            labelBackground: theme.palette.background.paper,
          },
        };
      }
      const color = e.skipped
        ? theme.palette.text.disabled
        : done.has(e.source.replace(/^join:/, ''))
          ? theme.palette.success.main
          : theme.palette.text.secondary;
      return {
        id: e.id,
        source: e.source,
        target: e.target,
        type: 'routed',
        style: { stroke: color, strokeWidth: 2, strokeDasharray: e.skipped ? '6 4' : undefined },
        markerEnd: { type: MarkerType.ArrowClosed, color },
        data: { points: e.points, color },
      };
    });
  }, [layout, doneKey, compensations, theme]);
  // Each edge kept as the same object while it is drawn the same: xyflow redraws only the edges whose colour moved.
  const edgeCache = useRef(new Map<string, { key: string; edge: RoutedFlowEdge }>());
  const stableEdges = useMemo(() => {
    const cache = edgeCache.current;
    const next = new Map<string, { key: string; edge: RoutedFlowEdge }>();
    const out = edges.map((edge) => {
      const key = JSON.stringify(edge);
      const kept = cache.get(edge.id);
      const chosen = kept && kept.key === key ? kept : { key, edge };
      next.set(edge.id, chosen);
      return chosen.edge;
    });
    edgeCache.current = next;
    return out;
  }, [edges]);

  // Fitted on open, for every cycle, on resize and when the layout changes (compensation arcs add channels).
  const fit = useCallback(() => {
    void flow.setViewport(fitViewport(layout.bounds, { width, height }));
  }, [flow, layout.bounds, width, height]);
  const workflowId = view?.workflowId;
  useLayoutEffect(() => {
    fit();
  }, [fit, workflowId]);

  return (
    <Box
      ref={panelRef}
      data-testid="phase-graph"
      data-compensations={view?.compensations.length ?? 0}
      data-focused={focused}
      tabIndex={0}
      role="group"
      aria-label="Phase graph. Focus it to zoom with the wheel; Tab moves through the phases"
      onFocus={() => setFocused(true)}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setFocused(false);
      }}
      sx={{
        position: 'relative',
        height,
        border: 1,
        borderColor: focused ? 'primary.main' : 'divider',
        borderRadius: 1,
        outline: 'none',
        '&:focus-visible': { boxShadow: `0 0 0 2px ${theme.palette.primary.main}` },
      }}
    >
      <ReactFlow
        nodes={nodes}
        edges={stableEdges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        colorMode={theme.palette.mode}
        nodesDraggable={false}
        nodesConnectable={false}
        nodesFocusable={false}
        edgesFocusable={false}
        elementsSelectable={false}
        onNodeClick={onNodeClick}
        proOptions={PRO_OPTIONS}
        minZoom={0.25}
        maxZoom={2}
        // The wheel belongs to the page until the operator focuses the graph or holds Ctrl/⌘.
        zoomOnScroll={focused}
        preventScrolling={focused}
        zoomActivationKeyCode={ZOOM_KEYS}
        zoomOnDoubleClick={false}
      >
        <Background gap={24} color={theme.palette.divider} />
      </ReactFlow>
      <Stack
        direction="row"
        spacing={0.5}
        sx={{
          position: 'absolute',
          top: 6,
          right: 6,
          zIndex: 5,
          bgcolor: 'background.paper',
          borderRadius: 1,
          border: 1,
          borderColor: 'divider',
        }}
      >
        <Tooltip title="Zoom in">
          <IconButton
            size="small"
            aria-label="Zoom in"
            data-testid="graph-zoom-in"
            onClick={() => void flow.zoomIn()}
          >
            <AddIcon fontSize="small" />
          </IconButton>
        </Tooltip>
        <Tooltip title="Zoom out">
          <IconButton
            size="small"
            aria-label="Zoom out"
            data-testid="graph-zoom-out"
            onClick={() => void flow.zoomOut()}
          >
            <RemoveIcon fontSize="small" />
          </IconButton>
        </Tooltip>
        <Tooltip title="Fit the whole graph">
          <IconButton size="small" aria-label="Fit the whole graph" data-testid="graph-fit" onClick={fit}>
            <FitScreenIcon fontSize="small" />
          </IconButton>
        </Tooltip>
      </Stack>
    </Box>
  );
}
