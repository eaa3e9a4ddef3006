import { describe, expect, it } from 'vitest';
import {
  fitViewport,
  graphSpec,
  joinId,
  routeGraph,
  type GraphLayout,
  type Point,
  type PositionedNode,
} from '../../../renderer/src/inspection/graph-layout';

/** The order the worker compensates a cycle cancelled while Request for Information ran. */
const CANCELLED = [
  'request_for_information',
  'data_owner_identification',
  'sample_selection',
  'scoping',
  'planning',
].map((phase, i) => ({ phase, label: `↶ ${i + 1}` }));

const inside = (p: Point, n: PositionedNode) =>
  p.x > n.x + 1 && p.x < n.x + n.width - 1 && p.y > n.y + 1 && p.y < n.y + n.height - 1;

/** Does an axis-aligned segment pass through a node's inside (its border excluded)? */
function crosses(a: Point, b: Point, n: PositionedNode): boolean {
  const steps = 50;
  for (let i = 0; i <= steps; i++) {
    const p = { x: a.x + ((b.x - a.x) * i) / steps, y: a.y + ((b.y - a.y) * i) / steps };
    if (inside(p, n)) return true;
  }
  return false;
}

function overlaps(a: { x: number; y: number; w: number; h: number }, n: PositionedNode) {
  return a.x < n.x + n.width && a.x + a.w > n.x && a.y < n.y + n.height && a.y + a.h > n.y;
}

function routedThroughGaps(layout: GraphLayout) {
  for (const e of layout.edges)
    for (let i = 1; i < e.points.length; i++)
      for (const n of layout.nodes)
        expect(crosses(e.points[i - 1]!, e.points[i]!, n), `${e.id} crosses ${n.id}`).toBe(false);
}

describe('phase graph rows', () => {
  it('wraps into rows no wider than the panel, keeping the phases in reading order', () => {
    const layout = routeGraph(graphSpec(), { maxRowWidth: 1050 });
    const rows = new Set(layout.nodes.map((n) => n.row));
    expect(rows.size).toBe(2);
    for (const row of rows) {
      const inRow = layout.nodes.filter((n) => n.row === row);
      const width = Math.max(...inRow.map((n) => n.x + n.width)) - Math.min(...inRow.map((n) => n.x));
      expect(width).toBeLessThanOrEqual(1050);
    }
    const pos = (id: string) => layout.nodes.find((n) => n.id === id)!;
    expect(pos('planning').row).toBe(0);
    expect(pos('finalize_test_report').row).toBe(1);
    expect(pos('sample_selection').x).toBe(pos('data_owner_identification').x);
    expect(pos('sample_selection').y).toBeLessThan(pos('data_owner_identification').y);
  });

  it('keeps one row when the panel is wide enough', () => {
    const layout = routeGraph(graphSpec(), { maxRowWidth: 5000 });
    expect(new Set(layout.nodes.map((n) => n.row)).size).toBe(1);
  });

  it('never places two nodes on top of each other', () => {
    const layout = routeGraph(graphSpec(), { maxRowWidth: 1050, compensations: CANCELLED });
    for (const a of layout.nodes)
      for (const b of layout.nodes)
        if (a !== b) expect(overlaps({ x: a.x, y: a.y, w: a.width, h: a.height }, b)).toBe(false);
  });
});

describe('phase graph routes', () => {
  it('routes forward edges, the row wrap and every compensation arc through the gaps, never across a node', () => {
    for (const maxRowWidth of [700, 1050, 5000]) {
      const layout = routeGraph(graphSpec(), { maxRowWidth, compensations: CANCELLED });
      expect(layout.edges.filter((e) => e.kind === 'compensation')).toHaveLength(4);
      routedThroughGaps(layout);
    }
  });

  it('puts each compensation label clear of every node and of the other labels', () => {
    const layout = routeGraph(graphSpec(), { maxRowWidth: 1050, compensations: CANCELLED });
    // A label ("↶ 3") is at most about 48 × 20 px at the body size.
    const boxes = layout.edges
      .filter((e) => e.labelAt)
      .map((e) => ({ x: e.labelAt!.x - 24, y: e.labelAt!.y - 10, w: 48, h: 20, id: e.id }));
    expect(boxes).toHaveLength(4);
    for (const box of boxes)
      for (const n of layout.nodes) expect(overlaps(box, n), `${box.id} on ${n.id}`).toBe(false);
    for (const a of boxes)
      for (const b of boxes)
        if (a !== b && a.y === b.y)
          expect(Math.abs(a.x - b.x) >= 48 || a.y !== b.y, `${a.id} / ${b.id}`).toBe(true);
  });

  it('draws the arcs from one compensated phase to the next in the order given', () => {
    const layout = routeGraph(graphSpec(), { maxRowWidth: 1050, compensations: CANCELLED });
    expect(layout.edges.filter((e) => e.kind === 'compensation').map((e) => [e.source, e.target])).toEqual([
      ['request_for_information', 'data_owner_identification'],
      ['data_owner_identification', 'sample_selection'],
      ['sample_selection', 'scoping'],
      ['scoping', 'planning'],
    ]);
  });

  it('keeps every route and node inside the bounds the panel is fitted to', () => {
    const layout = routeGraph(graphSpec(), { maxRowWidth: 1050, compensations: CANCELLED });
    const { x, y, width, height } = layout.bounds;
    const within = (p: Point) => p.x >= x && p.x <= x + width && p.y >= y && p.y <= y + height;
    for (const n of layout.nodes) {
      expect(within({ x: n.x, y: n.y })).toBe(true);
      expect(within({ x: n.x + n.width, y: n.y + n.height })).toBe(true);
    }
    for (const e of layout.edges) for (const p of e.points) expect(within(p), e.id).toBe(true);
    expect(layout.nodes.some((n) => n.id === joinId('request_for_information'))).toBe(true);
  });
});

describe('fitting the graph to its panel', () => {
  it('shows the bounds whole and centred, never enlarged past full size', () => {
    const bounds = { x: -40, y: -16, width: 1100, height: 500 };
    for (const panel of [
      { width: 1140, height: 520 },
      { width: 600, height: 520 },
      { width: 2000, height: 300 },
    ]) {
      const v = fitViewport(bounds, panel);
      expect(v.zoom).toBeLessThanOrEqual(1);
      const left = bounds.x * v.zoom + v.x;
      const top = bounds.y * v.zoom + v.y;
      expect(left).toBeGreaterThanOrEqual(-0.001);
      expect(top).toBeGreaterThanOrEqual(-0.001);
      expect(left + bounds.width * v.zoom).toBeLessThanOrEqual(panel.width + 0.001);
      expect(top + bounds.height * v.zoom).toBeLessThanOrEqual(panel.height + 0.001);
    }
    expect(fitViewport(bounds, { width: 1140, height: 520 }).zoom).toBe(1);
  });
});
