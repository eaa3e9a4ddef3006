// The backup sets: size, age, contents, the strongest check each passed (and when) with Verify and Trial restore
// results in place, and the way into the restore wizard.
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { type BackupSetSummary, type Verification } from '../../../../main/api/contract';
import { pluralize } from '../../inspection/pluralize';
import { formatBytes } from './JobProgress';
import { ConfirmDialog } from '../ConfirmDialog';
import { EmptyState } from '../EmptyState';
import type { OpsFailure } from '../../ops/client';
import { useBackups } from '../../stores/backups';

function age(iso: string): string {
  const s = (Date.now() - Date.parse(iso)) / 1000;
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} days ago`;
}

/** The set's badge: the strongest check it has passed, and when. */
function VerificationChip({ set }: { set: BackupSetSummary }) {
  const v = set.verification;
  if (!v)
    return <Chip size="small" label="not verified" data-testid="verification-badge" data-level="none" />;
  const what = v.ok ? (v.trialRestore ? 'verified + trial restore' : 'verified') : 'failed verification';
  return (
    <Chip
      size="small"
      color={v.ok ? 'success' : 'error'}
      label={`${what} · ${age(v.at)}`}
      title={v.problems.join('\n') || `checked ${new Date(v.at).toLocaleString()}`}
      data-testid="verification-badge"
      data-level={v.ok ? (v.trialRestore ? 'trial-restore' : 'verified') : 'failed'}
    />
  );
}

/** The result of the check just run on a set, shown in its row (not only in a tooltip). */
function CheckResult({ result }: { result: CheckOutcome }) {
  const what = result.trialRestore ? 'Trial restore' : 'Verify';
  if ('failure' in result)
    return (
      <Typography variant="body2" color="error" role="status" data-testid="check-result" data-ok="false">
        {what} could not run: {result.failure.message}
      </Typography>
    );
  const v = result.verification;
  return (
    <Typography
      variant="body2"
      color={v.ok ? 'success.main' : 'error'}
      role="status"
      data-testid="check-result"
      data-ok={v.ok}
    >
      {v.ok
        ? `${what} passed at ${new Date(v.at).toLocaleTimeString()}: every file matches its checksum${
            v.trialRestore ? ' and the restored copy matches the manifest' : ''
          }.`
        : `${what} failed: ${pluralize(v.problems.length, 'problem')} — ${v.problems.join(' ')}`}
    </Typography>
  );
}

type CheckOutcome =
  { trialRestore: boolean; verification: Verification } | { trialRestore: boolean; failure: OpsFailure };

export function SetsTable({ onRestore }: { onRestore: (id: string) => void }) {
  const { sets, verify, remove, busy } = useBackups();
  const [removing, setRemoving] = useState<string | undefined>();
  const [results, setResults] = useState<Record<string, CheckOutcome>>({});
  const check = async (setId: string, trialRestore: boolean) => {
    const verification = await verify(setId, trialRestore);
    const failure = useBackups.getState().error;
    setResults((r) => ({
      ...r,
      [setId]: verification
        ? { trialRestore, verification }
        : { trialRestore, failure: failure ?? { code: 'UNKNOWN', message: 'no result', hint: '' } },
    }));
  };
  if (sets.length === 0)
    return (
      <EmptyState title="No backup sets">
        A set holds the app DB, the Temporal DB or both, with a manifest of checksums. Use “Back up” to make
        one.
      </EmptyState>
    );
  return (
    <>
      <Table size="small" data-testid="backup-sets">
        <TableHead>
          <TableRow>
            <TableCell>Set</TableCell>
            <TableCell>Taken</TableCell>
            <TableCell>Contents</TableCell>
            <TableCell align="right">Size</TableCell>
            <TableCell>Verification</TableCell>
            <TableCell />
          </TableRow>
        </TableHead>
        <TableBody>
          {sets.map((s) => (
            <TableRow key={s.id} data-testid={`set-${s.id}`}>
              <TableCell>
                {s.id}
                {s.label && (
                  <Typography variant="caption" color="text.secondary" sx={{ display: 'block' }}>
                    {s.label}
                  </Typography>
                )}
              </TableCell>
              <TableCell title={new Date(s.createdAt).toLocaleString()}>{age(s.createdAt)}</TableCell>
              <TableCell>
                {s.databases.join(', ')}
                {!s.quiesced && <Chip size="small" sx={{ ml: 1 }} label="worker not paused" />}
              </TableCell>
              <TableCell align="right">{formatBytes(s.bytes)}</TableCell>
              <TableCell>
                <VerificationChip set={s} />
                {results[s.id] && <CheckResult result={results[s.id]!} />}
              </TableCell>
              <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                <Button size="small" disabled={busy} onClick={() => void check(s.id, false)}>
                  Verify
                </Button>
                <Button size="small" disabled={busy} onClick={() => void check(s.id, true)}>
                  Trial restore
                </Button>
                <Button size="small" disabled={busy} onClick={() => onRestore(s.id)}>
                  Restore…
                </Button>
                <Button size="small" color="error" disabled={busy} onClick={() => setRemoving(s.id)}>
                  Remove
                </Button>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <ConfirmDialog
        open={Boolean(removing)}
        title="Remove backup set"
        confirmLabel="Remove"
        onCancel={() => setRemoving(undefined)}
        onConfirm={() => {
          if (removing) void remove(removing);
          setRemoving(undefined);
        }}
      >
        Delete set {removing} from disk? It cannot be restored afterwards.
      </ConfirmDialog>
    </>
  );
}
