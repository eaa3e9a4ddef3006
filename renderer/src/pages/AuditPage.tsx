// The audit trail: every action that changed something, who did it, on which profile, and how it ended.
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import MenuItem from '@mui/material/MenuItem';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import { ErrorAlert } from '../components/ErrorAlert';
import { EmptyState } from '../components/EmptyState';
import { operations } from '../../../main/api/contract';
import { useContractForm } from '../forms';
import { ops } from '../ops/client';
import { useAudit } from '../stores/profiles';

function summary(input: unknown): string {
  const text = JSON.stringify(input) ?? '';
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}

/** A datetime-local value as an ISO moment (the browser gives local time without a zone). */
function isoOf(local: string): string | undefined {
  const ms = Date.parse(local);
  return local && !Number.isNaN(ms) ? new Date(ms).toISOString() : undefined;
}

const OUTCOME_COLOUR = { ok: 'success', refused: 'error', failed: 'warning' } as const;

export function AuditPage() {
  const { entries, total, error, load } = useAudit();
  const [op, setOp] = useState('');
  const [profile, setProfile] = useState('');
  const [outcome, setOutcome] = useState('');
  const [text, setText] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const filter = { op, profile, outcome, text, since: isoOf(since), until: isoOf(until) };
  const form = useContractForm(
    operations['audit.list'].input,
    Object.fromEntries(Object.entries(filter).filter(([, v]) => v)),
    {
      labels: {
        op: 'Operation',
        profile: 'Profile',
        outcome: 'Outcome',
        text: 'Text',
        since: 'From',
        until: 'To',
      },
      given: { op, profile, text, since: filter.since, until: filter.until },
    },
  );
  useEffect(() => {
    // A filter the contract refuses is not sent: its field says why, and the list keeps what it showed.
    if (!form.valid) return;
    void load(filter);
    // Reload on every new entry (pushed by the main process).
    return ops.on('audit.appended', () => void useAudit.getState().load(filter));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [op, profile, outcome, text, since, until, form.valid]);

  const exportAs = async (format: 'csv' | 'jsonl') => {
    const clean = Object.fromEntries(Object.entries(filter).filter(([, v]) => v));
    const out = await ops.call('audit.export', { ...clean, format });
    const url = URL.createObjectURL(
      new Blob([out.content], { type: format === 'csv' ? 'text/csv' : 'application/x-ndjson' }),
    );
    const a = document.createElement('a');
    a.href = url;
    a.download = out.filename;
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <Box>
      <Typography variant="h5" component="h1" gutterBottom>
        Audit trail
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        Every action that changes something — stack, worker, workflows, backups, profiles, unlocks — with its
        time, profile, operator, input (secrets redacted) and outcome. Kept append-only in the data folder.
      </Typography>
      {error && <ErrorAlert error={error} />}
      <Box sx={{ display: 'flex', gap: 2, mb: 2, flexWrap: 'wrap', alignItems: 'center' }}>
        <TextField
          size="small"
          label="Operation"
          value={op}
          onChange={(e) => setOp(e.target.value)}
          {...form.field('op')}
          sx={{ width: 200 }}
          slotProps={{ htmlInput: { 'data-testid': 'audit-op' } }}
        />
        <TextField
          size="small"
          label="Profile"
          value={profile}
          onChange={(e) => setProfile(e.target.value)}
          {...form.field('profile')}
          slotProps={{ htmlInput: { 'data-testid': 'audit-profile' } }}
        />
        <TextField
          select
          size="small"
          label="Outcome"
          value={outcome}
          onChange={(e) => setOutcome(e.target.value)}
          sx={{ width: 140 }}
          slotProps={{ htmlInput: { 'data-testid': 'audit-outcome' } }}
        >
          <MenuItem value="">any</MenuItem>
          <MenuItem value="ok">ok</MenuItem>
          <MenuItem value="refused">refused</MenuItem>
          <MenuItem value="failed">failed</MenuItem>
        </TextField>
        <TextField
          size="small"
          label="Text"
          value={text}
          onChange={(e) => setText(e.target.value)}
          {...form.field('text')}
          sx={{ width: 200 }}
          slotProps={{ htmlInput: { 'data-testid': 'audit-text' } }}
        />
        <TextField
          size="small"
          type="datetime-local"
          label="From"
          value={since}
          onChange={(e) => setSince(e.target.value)}
          {...form.field('since')}
          slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-testid': 'audit-since' } }}
        />
        <TextField
          size="small"
          type="datetime-local"
          label="To"
          value={until}
          onChange={(e) => setUntil(e.target.value)}
          {...form.field('until')}
          sx={{ maxWidth: 360 }}
          slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-testid': 'audit-until' } }}
        />
        <Button disabled={!form.valid} onClick={() => void exportAs('csv')}>
          Export CSV
        </Button>
        <Button disabled={!form.valid} onClick={() => void exportAs('jsonl')}>
          Export JSONL
        </Button>
        <Typography variant="body2" color="text.secondary">
          {entries.length} of {total}
        </Typography>
      </Box>
      {entries.length === 0 ? (
        <EmptyState title="No actions recorded">
          Actions that change something appear here as they happen.
        </EmptyState>
      ) : (
        <Table size="small" data-testid="audit-table">
          <TableHead>
            <TableRow>
              <TableCell>Time</TableCell>
              <TableCell>Profile</TableCell>
              <TableCell>Operator</TableCell>
              <TableCell>Action</TableCell>
              <TableCell>Outcome</TableCell>
              <TableCell>Input</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {entries.map((e) => (
              <TableRow key={e.id} data-testid="audit-row" data-op={e.op} data-outcome={e.outcome}>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>{new Date(e.time).toLocaleString()}</TableCell>
                <TableCell>
                  {e.profile ?? 'embedded'}
                  {e.production ? ' (prod)' : ''}
                </TableCell>
                <TableCell>
                  {e.operator} · {e.via}
                </TableCell>
                <TableCell>{e.op}</TableCell>
                <TableCell>
                  <Chip size="small" label={e.outcome} color={OUTCOME_COLOUR[e.outcome]} />
                  {e.error && (
                    <Typography variant="caption" sx={{ display: 'block' }}>
                      {e.error.message}
                    </Typography>
                  )}
                </TableCell>
                <TableCell
                  sx={{ fontFamily: 'monospace', fontSize: 12, maxWidth: 420, wordBreak: 'break-all' }}
                  title={JSON.stringify(e.input, null, 2)}
                >
                  {summary(e.input)}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
}
