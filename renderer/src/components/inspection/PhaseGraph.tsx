// The 8 phases as a graph laid out from the phase definitions; live states on the nodes, compensation drawn
// over it as reverse arcs with strategy and outcome.
import Box from '@mui/material/Box';
import { useTheme } from '@mui/material/styles';
import { Background, MarkerType, ReactFlow, type Edge } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import { PHASES, type PhaseStateView, type PhaseStatesView } from '../../../../main/api/contract';
import { graphSpec, layoutGraph } from '../../inspection/graph-layout';
import { JoinNode, PhaseNode, type JoinFlowNode, type PhaseFlowNode } from './PhaseNode';
import { stateColor } from './phase-colors';

const nodeTypes = { phase: PhaseNode, join: JoinNode };
const nodeCache = new WeakMap<PhaseStateView, PhaseFlowNode>();
const LABELS = Object.fromEntries(PHASES.map((p) => [p.id, p.label]));

export function PhaseGraph(props: {
  view: PhaseStatesView | undefined;
  skipped: string[];
  selectedPhase: string | undefined;
  onOpen: (phase: string) => void;
  height?: number;
}) {
  const theme = useTheme();
  const { view, selectedPhase, onOpen } = props;
  const skippedKey = props.skipped.join(',');
  const positioned = useMemo(
    () => layoutGraph(graphSpec(skippedKey ? skippedKey.split(',') : [])),
    [skippedKey],
  );
  const spec = useMemo(() => graphSpec(skippedKey ? skippedKey.split(',') : []), [skippedKey]);

  const nodes = useMemo(
    () =>
      positioned.map((n): PhaseFlowNode | JoinFlowNode => {
        if (n.kind === 'join') {
          return {
            id: n.id,
            type: 'join',
            position: { x: n.x, y: n.y },
            data: { waitingFor: view?.joinWaitingFor ?? [], labels: LABELS },
            draggable: false,
            selectable: false,
          };
        }
        const def = PHASES.find((p) => p.id === n.id)!;
        const phaseView = view?.phases.find((p) => p.phase === n.id);
        const compensations = view?.compensations.filter((c) => c.phase === n.id) ?? [];
        const selected = selectedPhase === n.id;
        // Reuse the node while nothing it shows changed, so a live update re-renders only the phase it names.
        const cached = phaseView && nodeCache.get(phaseView);
        if (
          cached &&
          cached.position.x === n.x &&
          cached.position.y === n.y &&
          cached.data.selected === selected &&
          cached.data.onOpen === onOpen &&
          cached.data.compensations.length === compensations.length
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
            compensations,
            selected,
            onOpen,
          },
          draggable: false,
          selectable: false,
        };
        if (phaseView) nodeCache.set(phaseView, node);
        return node;
      }),
    [positioned, view, selectedPhase, onOpen],
  );

  const edges = useMemo(() => {
    const stateOf = (id: string) => view?.phases.find((p) => p.phase === id)?.state ?? 'pending';
    const forward: Edge[] = spec.edges.map((e) => {
      const done = ['completed', 'compensated'].includes(stateOf(e.source.replace(/^join:/, '')));
      const color = e.skipped
        ? theme.palette.text.disabled
        : done
          ? theme.palette.success.main
          : theme.palette.divider;
      return {
        id: e.id,
        source: e.source,
        target: e.target,
        style: { stroke: color, strokeWidth: 2, strokeDasharray: e.skipped ? '6 4' : undefined },
        markerEnd: { type: MarkerType.ArrowClosed, color },
      };
    });
    // Compensation runs in the order the ledger recorded it: an arc from each compensated phase to the next.
    const comp = view?.compensations ?? [];
    const compColor = stateColor(theme, 'compensated');
    const reverse: Edge[] = comp.slice(1).map((c, i) => ({
      id: `comp:${comp[i]!.phase}->${c.phase}`,
      source: comp[i]!.phase,
      target: c.phase,
      sourceHandle: 'comp-out',
      targetHandle: 'comp-in',
      animated: true,
      label: `${i + 2}. ${c.strategy.replace('_', ' ')} · ${c.outcome}`,
      labelStyle: { fill: compColor, fontSize: 11 },
      labelBgStyle: { fill: theme.palette.background.paper },
      style: { stroke: compColor, strokeWidth: 2 },
      markerEnd: { type: MarkerType.ArrowClosed, color: compColor },
      className: 'compensation-edge',
    }));
    return [...forward, ...reverse];
  }, [spec, view, theme]);

  return (
    <Box
      data-testid="phase-graph"
      data-compensations={view?.compensations.length ?? 0}
      sx={{ height: props.height ?? 380, border: 1, borderColor: 'divider', borderRadius: 1 }}
    >
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        colorMode={theme.palette.mode}
        fitView
        fitViewOptions={{ padding: 0.15 }}
        nodesDraggable={false}
        nodesConnectable={false}
        nodesFocusable={false}
        edgesFocusable={false}
        proOptions={{ hideAttribution: true }}
        minZoom={0.3}
      >
        <Background gap={24} color={theme.palette.divider} />
      </ReactFlow>
    </Box>
  );
}
