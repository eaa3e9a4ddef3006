// Compensation ledger: every compensation across cycles, filterable, each linked to its cycle's graph.
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import { CompensationListInputSchema, PHASES } from '../../../main/api/contract';
import { EmptyState } from '../components/EmptyState';
import { PHASE_CHOICES, SelectFilter } from '../components/SelectFilter';
import { CompensationOutcome } from '../components/inspection/CompensationOutcome';
import { LedgerCounts } from '../components/inspection/LedgerCounts';
import { ErrorAlert } from '../components/ErrorAlert';
import { useContractForm } from '../forms';
import { formatTime } from '../inspection/format';
import { useCompensation } from '../stores/compensation';
import { MONO } from '../theme';
import { pluralize } from '../inspection/pluralize';

const LABELS = Object.fromEntries(PHASES.map((p) => [p.id, p.label]));
const STRATEGIES = ['rollback', 'partial_rollback', 'notify', 'skip'] as const;
const OUTCOMES = ['done', 'failed', 'resolved'] as const;

export function CompensationPage() {
  const { filter, rows, total, loading, error, setFilter, load } = useCompensation();
  const [text, setText] = useState(filter.text);
  // The search as typed goes through the ledger's own schema; a refused one is not sent.
  const form = useContractForm(
    CompensationListInputSchema,
    { ...filter, text },
    { labels: { text: 'Search' }, given: { text } },
  );
  const valid = form.valid;
  useEffect(() => {
    void useCompensation.getState().load();
  }, []);
  useEffect(() => {
    const t = setTimeout(() => {
      if (!valid) return;
      if (text !== filter.text) setFilter({ text });
    }, 250);
    return () => clearTimeout(t);
  }, [text, filter.text, setFilter, valid]);

  return (
    <>
      <Stack direction="row" sx={{ alignItems: 'center' }}>
        <Typography variant="h5" component="h1" sx={{ flex: 1 }}>
          Compensation
        </Typography>
        <Typography variant="body2" color="text.secondary" data-testid="ledger-total">
          {total === undefined ? '… compensations' : pluralize(total, 'compensation')}
        </Typography>
      </Stack>
      <Stack direction="row" spacing={1} sx={{ my: 1 }}>
        <TextField
          label="Search cycle, action, reason"
          value={text}
          onChange={(e) => setText(e.target.value)}
          {...form.field('text')}
          slotProps={{ htmlInput: { 'data-testid': 'ledger-search' } }}
        />
        <SelectFilter
          label="Phase"
          value={filter.phase}
          choices={PHASE_CHOICES}
          onChange={(phase) => setFilter({ phase })}
          minWidth={180}
          testId="ledger-phase"
        />
        <SelectFilter
          label="Strategy"
          value={filter.strategy}
          choices={STRATEGIES.map((s) => ({ value: s, label: s.replace('_', ' ') }))}
          onChange={(strategy) => setFilter({ strategy })}
          minWidth={150}
        />
        <SelectFilter
          label="Outcome"
          value={filter.outcome}
          choices={OUTCOMES.map((o) => ({ value: o, label: o }))}
          onChange={(outcome) => setFilter({ outcome })}
          minWidth={140}
          testId="ledger-outcome"
        />
      </Stack>
      {error && <ErrorAlert error={error} />}
      {total === 0 ? (
        <EmptyState title="No compensation recorded">
          When a cycle is cancelled or a phase fails for good, the worker undoes its phases in reverse; each
          step is listed here with its strategy, the rows it removed and kept, and its outcome.
        </EmptyState>
      ) : (
        <Box sx={{ border: 1, borderColor: 'divider', borderRadius: 1, bgcolor: 'background.paper' }}>
          <Table size="small" data-testid="ledger-table">
            <TableHead>
              <TableRow>
                <TableCell>Time</TableCell>
                <TableCell>Cycle</TableCell>
                <TableCell>Phase</TableCell>
                <TableCell>Strategy</TableCell>
                <TableCell>Action</TableCell>
                <TableCell>Rows</TableCell>
                <TableCell>Outcome</TableCell>
                <TableCell>Reason</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map((r) => (
                <TableRow
                  key={r.id}
                  data-testid="ledger-row"
                  data-workflow-id={r.workflowId}
                  data-phase={r.phase}
                >
                  <TableCell>{formatTime(r.createdAt)}</TableCell>
                  <TableCell>
                    <Link
                      href={`#/workflows?open=${encodeURIComponent(r.workflowId)}`}
                      sx={{ fontFamily: MONO, fontSize: 12 }}
                      data-testid="ledger-open-cycle"
                    >
                      {r.workflowId}
                    </Link>
                  </TableCell>
                  <TableCell>{LABELS[r.phase] ?? r.phase}</TableCell>
                  <TableCell>{r.strategy.replace('_', ' ')}</TableCell>
                  <TableCell>{r.action}</TableCell>
                  <TableCell>
                    <LedgerCounts detail={r.detail} />
                  </TableCell>
                  <TableCell>
                    <CompensationOutcome entry={r} />
                  </TableCell>
                  <TableCell>{r.reason}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {total !== undefined && rows.length < total && (
            <Button onClick={() => void load(true)} disabled={loading} sx={{ m: 1 }}>
              Load more ({total - rows.length} left)
            </Button>
          )}
        </Box>
      )}
    </>
  );
}
