// The phase graph's shape from the phase definitions (the worker's): nodes, joins, edges, then positions in
// rows that fit the panel and every edge's route (forward edges, the row wrap, compensation arcs) through the
// free space between nodes. Pure.
import { PHASES, type PhaseDefinition } from '../../../shared/phases';

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 142;
export const JOIN_SIZE = 34;
/** Horizontal space between ranks: forward edges bend here and arcs climb here. */
export const RANK_GAP = 56;
/** Vertical space between the parallel lanes of one rank. */
export const LANE_GAP = 28;
/** Space for one routed line (with its label) in a channel above, between or below the rows. */
export const SLOT = 24;
const CHANNEL_PAD = 14;
export const MARGIN = 16;

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
  rank: number;
  row: number;
  lane: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface RoutedEdge {
  id: string;
  source: string;
  target: string;
  kind: 'forward' | 'compensation';
  skipped: boolean;
  points: Point[];
  /** Where the label sits (compensation arcs): in a channel, clear of every node. */
  labelAt?: Point;
  label?: string;
}

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GraphLayout {
  nodes: PositionedNode[];
  edges: RoutedEdge[];
  bounds: Bounds;
}

/** One compensation step to draw, in the order the worker ran them. */
export interface CompensationArc {
  phase: string;
  label: string;
}

/** Rank of each node: the longest path from a start node (phases in definition order come first). */
function ranks(spec: GraphSpec): Map<string, number> {
  const rank = new Map<string, number>();
  const incoming = (id: string) => spec.edges.filter((e) => e.target === id).map((e) => e.source);
  const visit = (id: string): number => {
    const known = rank.get(id);
    if (known !== undefined) return known;
    const r = Math.max(-1, ...incoming(id).map(visit)) + 1;
    rank.set(id, r);
    return r;
  };
  for (const n of spec.nodes) visit(n.id);
  return rank;
}

/**
 * Positions in rows: ranks go left to right, and a new row starts where the next rank would pass
 * `maxRowWidth` (the panel's width), so the graph reads at full size instead of shrinking. Parallel phases
 * share a rank and stand in lanes one above the other. Compensation arcs run in channels above, between and
 * below the rows, one slot each, so no line or label crosses a node.
 */
export function routeGraph(
  spec: GraphSpec,
  options: { maxRowWidth?: number; compensations?: readonly CompensationArc[] } = {},
): GraphLayout {
  const maxRowWidth = options.maxRowWidth ?? Number.POSITIVE_INFINITY;
  const comps = options.compensations ?? [];
  const rank = ranks(spec);
  const rankCount = Math.max(0, ...rank.values()) + 1;
  const inRank = Array.from({ length: rankCount }, (_, r) => spec.nodes.filter((n) => rank.get(n.id) === r));
  const rankWidth = inRank.map((ns) => Math.max(0, ...ns.map((n) => n.width)));

  // Rows: greedy, at least one rank each.
  const rowOf: number[] = [];
  let row = 0;
  let used = 0;
  for (let r = 0; r < rankCount; r++) {
    const w = rankWidth[r]! + (used > 0 ? RANK_GAP : 0);
    if (used > 0 && used + w > maxRowWidth) {
      row++;
      used = 0;
    }
    used += used > 0 ? w : rankWidth[r]!;
    rowOf.push(row);
  }
  const rowCount = row + 1;
  const rowRanks = (rw: number) => inRank.map((_, r) => r).filter((r) => rowOf[r] === rw);
  const rowHeight = Array.from({ length: rowCount }, (_, rw) =>
    Math.max(
      ...rowRanks(rw).map(
        (r) => inRank[r]!.reduce((h, n) => h + n.height, 0) + (inRank[r]!.length - 1) * LANE_GAP,
      ),
    ),
  );

  const placed = new Map<string, PositionedNode>();
  const rankX: number[] = [];
  for (let rw = 0; rw < rowCount; rw++) {
    let x = 0;
    for (const r of rowRanks(rw)) {
      rankX[r] = x;
      x += rankWidth[r]! + RANK_GAP;
    }
  }

  // Which channel each arc runs in, to size the channels before placing rows: a node in the top lane of its
  // rank leaves by its top (channel above its row), any other by its bottom (channel below).
  const laneOf = new Map<string, number>();
  for (const ns of inRank) ns.forEach((n, i) => laneOf.set(n.id, i));
  const laneCount = (id: string) => inRank[rank.get(id)!]!.length;
  const portSide = (id: string): 'top' | 'bottom' =>
    laneOf.get(id) === 0 || laneCount(id) === 1 ? 'top' : 'bottom';
  const channelOf = (id: string) => rowOf[rank.get(id)!]! + (portSide(id) === 'top' ? 0 : 1);
  const slotsIn = new Array<number>(rowCount + 1).fill(0);
  // The row wrap takes the first slot between two rows.
  for (let rw = 1; rw < rowCount; rw++) slotsIn[rw]! += 1;
  const known = (id: string) => rank.has(id);
  const arcs = comps.slice(1).flatMap((c, i) => {
    const from = comps[i]!.phase;
    if (!known(from) || !known(c.phase)) return [];
    const src = channelOf(from);
    const dst = channelOf(c.phase);
    // Two lanes of one rank (the parallel phases): straight across the gap between them, no channel.
    const direct =
      rank.get(from) === rank.get(c.phase) && Math.abs(laneOf.get(from)! - laneOf.get(c.phase)!) === 1;
    const arc = {
      from,
      to: c.phase,
      label: c.label,
      src,
      dst,
      srcSlot: slotsIn[src]!,
      dstSlot: 0,
      index: i,
      direct,
    };
    if (direct) return [arc];
    slotsIn[src]! += 1;
    if (dst !== src) {
      arc.dstSlot = slotsIn[dst]!;
      slotsIn[dst]! += 1;
    }
    return [arc];
  });
  const channelHeight = slotsIn.map((s, i) =>
    s === 0 ? (i === 0 || i === rowCount ? 0 : LANE_GAP * 2) : CHANNEL_PAD * 2 + s * SLOT,
  );

  const rowTop: number[] = [];
  const channelTop: number[] = [];
  let y = 0;
  for (let rw = 0; rw <= rowCount; rw++) {
    channelTop[rw] = y;
    y += channelHeight[rw]!;
    if (rw < rowCount) {
      rowTop[rw] = y;
      y += rowHeight[rw]!;
    }
  }
  const slotY = (channel: number, slot: number) =>
    channelTop[channel]! + CHANNEL_PAD + slot * SLOT + SLOT / 2;

  for (let r = 0; r < rankCount; r++) {
    const rw = rowOf[r]!;
    const ns = inRank[r]!;
    const total = ns.reduce((h, n) => h + n.height, 0) + (ns.length - 1) * LANE_GAP;
    let ny = rowTop[rw]! + (rowHeight[rw]! - total) / 2;
    ns.forEach((n, lane) => {
      placed.set(n.id, {
        ...n,
        x: rankX[r]! + (rankWidth[r]! - n.width) / 2,
        y: Math.round(ny),
        rank: r,
        row: rw,
        lane,
      });
      ny += n.height + LANE_GAP;
    });
  }
  const node = (id: string) => placed.get(id)!;
  const right = (n: PositionedNode): Point => ({ x: n.x + n.width, y: n.y + n.height / 2 });
  const left = (n: PositionedNode): Point => ({ x: n.x, y: n.y + n.height / 2 });

  const edges: RoutedEdge[] = spec.edges.map((e) => {
    const s = node(e.source);
    const t = node(e.target);
    const a = right(s);
    const b = left(t);
    let points: Point[];
    if (s.row === t.row) {
      const mid = a.x + (b.x - a.x) / 2;
      points = a.y === b.y ? [a, b] : [a, { x: mid, y: a.y }, { x: mid, y: b.y }, b];
    } else {
      // The wrap: out to the right, along the first slot between the rows, back in from the left.
      const cy = slotY(t.row, 0);
      const out = a.x + RANK_GAP / 2;
      const back = b.x - RANK_GAP / 2;
      points = [a, { x: out, y: a.y }, { x: out, y: cy }, { x: back, y: cy }, { x: back, y: b.y }, b];
    }
    return { id: e.id, source: e.source, target: e.target, kind: 'forward', skipped: e.skipped, points };
  });

  for (const arc of arcs) {
    const s = node(arc.from);
    const t = node(arc.to);
    const port = (n: PositionedNode): Point => ({
      x: n.x + n.width / 2,
      y: portSide(n.id) === 'top' ? n.y : n.y + n.height,
    });
    const a = port(s);
    const b = port(t);
    const sy = slotY(arc.src, arc.srcSlot);
    let points: Point[];
    let labelAt: Point;
    if (arc.direct) {
      const down = s.lane < t.lane;
      const x = s.x + s.width / 2;
      const from = { x, y: down ? s.y + s.height : s.y };
      const to = { x, y: down ? t.y : t.y + t.height };
      points = [from, to];
      labelAt = { x: x + 34, y: (from.y + to.y) / 2 };
    } else if (arc.src === arc.dst) {
      // Offset from the centres so the arc's ends do not sit on the forward edges' bends.
      points = [a, { x: a.x, y: sy }, { x: b.x, y: sy }, b];
      labelAt = { x: (a.x + b.x) / 2, y: sy };
    } else {
      // Between two channels: climb in the rank gap beside the node whose row lies between them.
      const dy = slotY(arc.dst, arc.dstSlot);
      const between = arc.dst > arc.src ? arc.src : arc.dst; // the row the vertical segment crosses
      const rowNode = s.row === between ? s : t;
      // A third of the gap from the node, clear of the forward edges' bends in the middle of the gap.
      // Each arc its own corridor, so two arcs climbing beside the same node stay apart.
      const aside = RANK_GAP / 4 + (arc.index % 3) * 6;
      const gapX =
        rowNode === t
          ? b.x < a.x
            ? t.x + t.width + aside
            : t.x - aside
          : a.x < b.x
            ? s.x + s.width + aside
            : s.x - aside;
      points = [a, { x: a.x, y: sy }, { x: gapX, y: sy }, { x: gapX, y: dy }, { x: b.x, y: dy }, b];
      // On the longer of its two runs along a channel.
      labelAt =
        Math.abs(a.x - gapX) >= Math.abs(b.x - gapX)
          ? { x: (a.x + gapX) / 2, y: sy }
          : { x: (b.x + gapX) / 2, y: dy };
    }
    edges.push({
      id: `comp:${arc.from}->${arc.to}`,
      source: arc.from,
      target: arc.to,
      kind: 'compensation',
      skipped: false,
      points,
      labelAt,
      label: arc.label,
    });
  }

  const xs = [...placed.values()]
    .flatMap((n) => [n.x, n.x + n.width])
    .concat(edges.flatMap((e) => e.points.map((p) => p.x)));
  const minX = Math.min(...xs) - MARGIN;
  const maxX = Math.max(...xs) + MARGIN;
  return {
    nodes: spec.nodes.map((n) => node(n.id)),
    edges,
    bounds: { x: minX, y: -MARGIN, width: maxX - minX, height: y + 2 * MARGIN },
  };
}

/** Positions alone, one row (the graph's reading order), for callers that draw their own edges. */
export function layoutGraph(spec: GraphSpec, maxRowWidth?: number): PositionedNode[] {
  return routeGraph(spec, { maxRowWidth }).nodes;
}

/** The viewport that shows `bounds` whole and centred in a panel, never enlarged past full size. */
export function fitViewport(
  bounds: Bounds,
  panel: { width: number; height: number },
  maxZoom = 1,
): { x: number; y: number; zoom: number } {
  const zoom = Math.min(maxZoom, panel.width / bounds.width, panel.height / bounds.height);
  return {
    x: (panel.width - bounds.width * zoom) / 2 - bounds.x * zoom,
    y: (panel.height - bounds.height * zoom) / 2 - bounds.y * zoom,
    zoom,
  };
}
