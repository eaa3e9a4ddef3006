// One control for "started between": a single button (one Tab stop) that opens the two date-times, a few quick
// ranges and a clear message when the range starts after it ends. Nothing is applied until the range is valid.
import Button from '@mui/material/Button';
import Popover from '@mui/material/Popover';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import DateRangeIcon from '@mui/icons-material/DateRange';
import { useId, useRef, useState } from 'react';
import { formatTime } from '../../inspection/format';
import { rangeProblem } from '../../inspection/view-url';

/** A datetime-local value as an ISO moment (the browser gives local time without a zone). */
function isoOf(local: string): string | undefined {
  const ms = Date.parse(local);
  return local && !Number.isNaN(ms) ? new Date(ms).toISOString() : undefined;
}
/** An ISO moment as a datetime-local value, in local time. */
function localOf(iso?: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

const QUICK: Array<{ label: string; ms: number }> = [
  { label: 'Last hour', ms: 3600_000 },
  { label: 'Last 24 hours', ms: 24 * 3600_000 },
  { label: 'Last 7 days', ms: 7 * 24 * 3600_000 },
];

export function describeRange(from?: string, to?: string): string {
  if (!from && !to) return 'Started: any time';
  if (from && to) return `Started ${formatTime(from)} – ${formatTime(to)}`;
  return from ? `Started after ${formatTime(from)}` : `Started before ${formatTime(to)}`;
}

export function DateRangeFilter(props: {
  from: string | undefined;
  to: string | undefined;
  onChange: (range: { from: string | undefined; to: string | undefined }) => void;
}) {
  const anchor = useRef<HTMLButtonElement>(null);
  const [open, setOpen] = useState(false);
  const [from, setFrom] = useState(localOf(props.from));
  const [to, setTo] = useState(localOf(props.to));
  const problem = rangeProblem(isoOf(from), isoOf(to));
  const messageId = useId();
  const show = () => {
    setFrom(localOf(props.from));
    setTo(localOf(props.to));
    setOpen(true);
  };
  const apply = (range: { from: string | undefined; to: string | undefined }) => {
    if (rangeProblem(range.from, range.to)) return;
    props.onChange(range);
    setOpen(false);
  };
  return (
    <>
      <Button
        ref={anchor}
        variant="outlined"
        color="inherit"
        startIcon={<DateRangeIcon />}
        onClick={show}
        aria-haspopup="dialog"
        aria-expanded={open}
        data-testid="filter-range"
        sx={{ whiteSpace: 'nowrap', flexShrink: 0, borderColor: 'divider' }}
      >
        {describeRange(props.from, props.to)}
      </Button>
      <Popover
        open={open}
        anchorEl={anchor.current}
        onClose={() => setOpen(false)}
        anchorOrigin={{ vertical: 'bottom', horizontal: 'left' }}
        slotProps={{ paper: { role: 'dialog', 'aria-label': 'Started between', sx: { p: 2, width: 360 } } }}
      >
        <form
          onSubmit={(e) => {
            e.preventDefault();
            apply({ from: isoOf(from), to: isoOf(to) });
          }}
        >
          <Stack spacing={1.5}>
            <Typography variant="subtitle2">Started between</Typography>
            <TextField
              type="datetime-local"
              label="From"
              value={from}
              onChange={(e) => setFrom(e.target.value)}
              error={!!problem}
              autoFocus
              slotProps={{
                inputLabel: { shrink: true },
                htmlInput: { 'data-testid': 'filter-from', 'aria-describedby': messageId },
              }}
            />
            <TextField
              type="datetime-local"
              label="To"
              value={to}
              onChange={(e) => setTo(e.target.value)}
              error={!!problem}
              slotProps={{
                inputLabel: { shrink: true },
                htmlInput: { 'data-testid': 'filter-to', 'aria-describedby': messageId },
              }}
            />
            <Typography
              id={messageId}
              variant="body2"
              color={problem ? 'error' : 'text.secondary'}
              role={problem ? 'alert' : undefined}
              data-testid="filter-range-message"
            >
              {problem ?? 'Either end may be left empty.'}
            </Typography>
            <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap' }}>
              {QUICK.map((q) => (
                <Button
                  key={q.label}
                  size="small"
                  onClick={() => apply({ from: new Date(Date.now() - q.ms).toISOString(), to: undefined })}
                >
                  {q.label}
                </Button>
              ))}
            </Stack>
            <Stack direction="row" spacing={1} sx={{ justifyContent: 'flex-end' }}>
              <Button
                onClick={() => apply({ from: undefined, to: undefined })}
                data-testid="filter-range-clear"
              >
                Any time
              </Button>
              <Button type="submit" variant="contained" disabled={!!problem} data-testid="filter-range-apply">
                Apply
              </Button>
            </Stack>
          </Stack>
        </form>
      </Popover>
    </>
  );
}
