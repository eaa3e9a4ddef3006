// The phase graph's shape from the phase definitions (the worker's): nodes, joins, edges, then dagre positions. Pure.
import dagre from '@dagrejs/dagre';
import { PHASES, type PhaseDefinition } from '../../../shared/phases';

export const NODE_WIDTH = 210;
export const NODE_HEIGHT = 118;
export const JOIN_SIZE = 34;

export interface GraphNodeSpec {
  id: string;
  kind: 'phase' | 'join';
  /** For a join: the phase it feeds and the phases it waits on. */
  joins?: { into: string; from: string[] };
  skipped: boolean;
  width: number;
  height: number;
}

export interface GraphEdgeSpec {
  id: string;
  source: string;
  target: string;
  skipped: boolean;
}

export interface GraphSpec {
  nodes: GraphNodeSpec[];
  edges: GraphEdgeSpec[];
}

export const joinId = (phase: string) => `join:${phase}`;

/** Nodes and edges: a phase with several predecessors gets a join node in front of it, where branches meet. */
export function graphSpec(
  skipped: readonly string[] = [],
  phases: readonly PhaseDefinition[] = PHASES,
): GraphSpec {
  const isSkipped = (id: string) => skipped.includes(id);
  const nodes: GraphNodeSpec[] = [];
  const edges: GraphEdgeSpec[] = [];
  for (const p of phases) {
    nodes.push({ id: p.id, kind: 'phase', skipped: isSkipped(p.id), width: NODE_WIDTH, height: NODE_HEIGHT });
    if (p.after.length > 1) {
      const j = joinId(p.id);
      nodes.push({
        id: j,
        kind: 'join',
        joins: { into: p.id, from: [...p.after] },
        skipped: false,
        width: JOIN_SIZE,
        height: JOIN_SIZE,
      });
      for (const from of p.after)
        edges.push({ id: `${from}->${j}`, source: from, target: j, skipped: isSkipped(from) });
      edges.push({ id: `${j}->${p.id}`, source: j, target: p.id, skipped: isSkipped(p.id) });
    } else {
      for (const from of p.after)
        edges.push({
          id: `${from}->${p.id}`,
          source: from,
          target: p.id,
          skipped: isSkipped(from) || isSkipped(p.id),
        });
    }
  }
  return { nodes, edges };
}

export interface PositionedNode extends GraphNodeSpec {
  x: number;
  y: number;
}

/** Left-to-right layout; parallel phases share a rank and so stand in lanes one above the other. */
export function layoutGraph(spec: GraphSpec): PositionedNode[] {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 36, ranksep: 48, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of spec.nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const e of spec.edges) g.setEdge(e.source, e.target);
  dagre.layout(g);
  return spec.nodes.map((n) => {
    const pos = g.node(n.id);
    // dagre gives centres; the flow wants top-left corners.
    return { ...n, x: Math.round(pos.x - n.width / 2), y: Math.round(pos.y - n.height / 2) };
  });
}
