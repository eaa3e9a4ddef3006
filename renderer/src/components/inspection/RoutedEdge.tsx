// An edge drawn along the route the layout computed (through the gaps between nodes), with rounded corners and,
// for a compensation arc, its label in the channel where the arc runs, clear of every node.
import Box from '@mui/material/Box';
import { BaseEdge, EdgeLabelRenderer, type Edge, type EdgeProps } from '@xyflow/react';
import type { Point } from '../../inspection/graph-layout';

export type RoutedEdgeData = {
  points: Point[];
  labelAt?: Point;
  label?: string;
  /** The label's words in full (the order and what the step did), for hover and screen readers. */
  title?: string;
  color: string;
  labelBackground?: string;
};

export type RoutedFlowEdge = Edge<RoutedEdgeData, 'routed'>;

const RADIUS = 8;

/** An SVG path through the points, each corner rounded (never more than half the shorter segment). */
export function roundedPath(points: readonly Point[]): string {
  if (points.length === 0) return '';
  let d = `M ${points[0]!.x} ${points[0]!.y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const prev = points[i - 1]!;
    const at = points[i]!;
    const next = points[i + 1]!;
    const inLen = Math.hypot(at.x - prev.x, at.y - prev.y);
    const outLen = Math.hypot(next.x - at.x, next.y - at.y);
    const r = Math.min(RADIUS, inLen / 2, outLen / 2);
    if (r <= 0) continue;
    const p1 = { x: at.x - ((at.x - prev.x) / inLen) * r, y: at.y - ((at.y - prev.y) / inLen) * r };
    const p2 = { x: at.x + ((next.x - at.x) / outLen) * r, y: at.y + ((next.y - at.y) / outLen) * r };
    d += ` L ${p1.x} ${p1.y} Q ${at.x} ${at.y} ${p2.x} ${p2.y}`;
  }
  const last = points.at(-1)!;
  return `${d} L ${last.x} ${last.y}`;
}

export function RoutedEdge({ id, data, style, markerEnd }: EdgeProps<RoutedFlowEdge>) {
  if (!data) return null;
  return (
    <>
      <BaseEdge id={id} path={roundedPath(data.points)} style={style} markerEnd={markerEnd} />
      {data.label && data.labelAt && (
        <EdgeLabelRenderer>
          <Box
            className="compensation-label nodrag nopan"
            title={data.title}
            sx={{
              position: 'absolute',
              transform: `translate(-50%, -50%) translate(${data.labelAt.x}px, ${data.labelAt.y}px)`,
              px: 0.75,
              borderRadius: 1,
              border: 1,
              borderColor: data.color,
              bgcolor: data.labelBackground,
              color: 'text.primary',
              typography: 'body2',
              whiteSpace: 'nowrap',
              lineHeight: 1.4,
              pointerEvents: 'none',
            }}
          >
            {data.label}
          </Box>
        </EdgeLabelRenderer>
      )}
    </>
  );
}
