// What a ledger entry did to the rows, table by table: removed, kept (and why), notices sent.
import Typography from '@mui/material/Typography';
import { pluralize } from '../../inspection/pluralize';

interface Counts {
  removed?: Record<string, number>;
  kept?: Record<string, number>;
  keptBecause?: string;
  messages?: number;
  withdrawn?: number;
}

const list = (counts: Record<string, number> | undefined) =>
  Object.entries(counts ?? {})
    .map(([table, n]) => `${n} ${table.replaceAll('_', ' ')}`)
    .join(', ');

export function LedgerCounts({ detail }: { detail: unknown }) {
  const d = (detail ?? {}) as Counts;
  const parts = [
    list(d.removed) && `removed ${list(d.removed)}`,
    list(d.kept) && `kept ${list(d.kept)}`,
    d.withdrawn ? `withdrew ${d.withdrawn}` : '',
    d.messages ? pluralize(d.messages, 'notice') : '',
  ].filter(Boolean);
  return (
    <Typography variant="body2" component="div" data-testid="ledger-counts">
      {parts.join('; ') || '—'}
      {d.keptBecause && (
        <Typography variant="caption" color="text.secondary" component="div">
          {d.keptBecause}
        </Typography>
      )}
    </Typography>
  );
}
