// The recovery timeline: per cluster the WAL range that can be replayed, base backups, and marks (cycles, phases,
// compensations, backup sets, operator actions). Choosing a mark picks "just before it".
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useTheme, type Theme } from '@mui/material/styles';
import type { RecoveryTimeline, TimelineMark } from '../../../main/api/contract';
import type { RecoveryChoice } from '../recovery/choices';

const WIDTH = 900;
const ROW = 28;

function colorOf(kind: TimelineMark['kind'], palette: Theme['palette']): string {
  switch (kind) {
    case 'compensation':
      return palette.error.main;
    case 'phase_completed':
      return palette.success.main;
    case 'cycle_started':
      return palette.info.main;
    case 'base_backup':
    case 'dump_set':
      return palette.secondary.main;
    default:
      return palette.warning.main;
  }
}

export function RecoveryTimelineView(props: {
  timeline: RecoveryTimeline;
  /** The marks offered as chips: completed phases and cycles. */
  choices: RecoveryChoice[];
  selected?: string;
  onPick: (iso: string) => void;
}) {
  const theme = useTheme<Theme>();
  const { timeline } = props;
  const times = [
    ...timeline.clusters.flatMap((c) => [c.from, c.until]),
    ...timeline.marks.map((m) => m.at),
    timeline.now,
  ]
    .filter((t): t is string => Boolean(t))
    .map((t) => Date.parse(t));
  const start = Math.min(...times);
  const end = Math.max(...times, start + 60_000);
  const x = (iso: string) => 90 + ((Date.parse(iso) - start) / (end - start)) * (WIDTH - 100);
  const height = ROW * (timeline.clusters.length + 1) + 24;
  return (
    <Box data-testid="recovery-timeline">
      <Box sx={{ overflowX: 'auto' }}>
        <svg
          width={WIDTH}
          height={height}
          role="img"
          aria-label="What can be recovered, on a time axis"
          style={{ display: 'block' }}
        >
          {timeline.clusters.map((c, i) => (
            <g key={c.cluster}>
              <text x={0} y={ROW * i + 18} fontSize={12} fill={theme.palette.text.secondary}>
                {c.cluster}
              </text>
              {c.from && c.until && (
                <rect
                  x={x(c.from)}
                  y={ROW * i + 8}
                  width={Math.max(2, x(c.until) - x(c.from))}
                  height={12}
                  rx={3}
                  fill={theme.palette.primary.main}
                  opacity={0.35}
                  data-testid={`wal-range-${c.cluster}`}
                >
                  <title>{`WAL from ${c.from} to ${c.until}`}</title>
                </rect>
              )}
              {timeline.baseBackups
                .filter((b) => b.cluster === c.cluster)
                .map((b) => (
                  <circle
                    key={b.label}
                    cx={x(b.finishedAt)}
                    cy={ROW * i + 14}
                    r={5}
                    fill={theme.palette.secondary.main}
                  >
                    <title>{`base backup ${b.label}`}</title>
                  </circle>
                ))}
            </g>
          ))}
          {timeline.marks.map((m, i) => (
            <line
              key={`${m.at}-${i}`}
              x1={x(m.at)}
              x2={x(m.at)}
              y1={ROW * timeline.clusters.length + 2}
              y2={ROW * timeline.clusters.length + 20}
              stroke={colorOf(m.kind, theme.palette)}
              strokeWidth={2}
              style={{ cursor: 'pointer' }}
              onClick={() => props.onPick(new Date(Date.parse(m.at) - 1).toISOString())}
            >
              <title>{`${m.at} ${m.label}`}</title>
            </line>
          ))}
          {props.selected && !Number.isNaN(Date.parse(props.selected)) && (
            <line
              x1={x(props.selected)}
              x2={x(props.selected)}
              y1={0}
              y2={height - 20}
              stroke={theme.palette.text.primary}
              strokeDasharray="4 3"
            />
          )}
          <text x={90} y={height - 4} fontSize={11} fill={theme.palette.text.secondary}>
            {new Date(start).toLocaleString()}
          </text>
          <text
            x={WIDTH - 10}
            y={height - 4}
            fontSize={11}
            textAnchor="end"
            fill={theme.palette.text.secondary}
          >
            now
          </text>
        </svg>
      </Box>
      <Typography variant="subtitle2" sx={{ mt: 2 }}>
        Recover to just before a completed phase or cycle
      </Typography>
      {props.choices.length === 0 ? (
        <Typography variant="body2" color="text.secondary" data-testid="timeline-no-marks">
          No phase has completed since the oldest base backup. Each completed phase and cycle shows here; you
          can also type a moment below.
        </Typography>
      ) : (
        <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 1, mt: 1 }}>
          {props.choices.map((c) => (
            // Described, not named, by the tooltip: the chip's name stays the time and phase it shows.
            <Tooltip
              key={`${c.at}-${c.label}`}
              describeChild
              title={`Just before ${new Date(c.at).toLocaleString()}`}
            >
              <Chip
                size="small"
                variant="outlined"
                color={c.kind === 'cycle' ? 'primary' : 'default'}
                label={`${new Date(c.at).toLocaleTimeString()} ${c.label}`}
                onClick={() => props.onPick(c.before)}
                data-testid="timeline-mark"
                data-kind={c.kind}
              />
            </Tooltip>
          ))}
        </Stack>
      )}
    </Box>
  );
}
