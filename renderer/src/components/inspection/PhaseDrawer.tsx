// A phase in depth: its activities and every attempt, retry log, human steps, pending activities (heartbeat,
// last failure) and the history events that belong to it, with their inputs and outputs.
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Divider from '@mui/material/Divider';
import Drawer from '@mui/material/Drawer';
import IconButton from '@mui/material/IconButton';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import CloseIcon from '@mui/icons-material/Close';
import type { ReactNode } from 'react';
import { PHASES, type CycleDetail, type HistoryEventView } from '../../../../main/api/contract';
import { formatDuration, formatTime } from '../../inspection/format';
import { phaseTime, stepWords } from '../../inspection/phase-time';
import { relatedEvents } from '../../inspection/related-events';
import { useNow } from '../../inspection/use-now';
import { MONO } from '../../theme';
import { CompensationOutcome } from './CompensationOutcome';
import { LedgerCounts } from './LedgerCounts';

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Box sx={{ mb: 2 }}>
      <Typography variant="subtitle2" gutterBottom>
        {title}
      </Typography>
      {children}
    </Box>
  );
}

const Json = ({ value }: { value: unknown }) => (
  <Box
    component="pre"
    sx={{ fontFamily: MONO, fontSize: 11, m: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
  >
    {JSON.stringify(value, null, 2)}
  </Box>
);

export function PhaseDrawer(props: {
  selectedPhase: string | undefined;
  onSelectPhase: (phase: string | undefined) => void;
  detail: CycleDetail | undefined;
  history: HistoryEventView[];
}) {
  const onClose = () => props.onSelectPhase(undefined);
  const phase = props.selectedPhase;
  const def = PHASES.find((p) => p.id === phase);
  const detail = props.detail;
  const view = detail?.phases.find((p) => p.phase === phase);
  const now = useNow(view?.state === 'running');
  const time = phaseTime(view, now);
  const activities = detail?.activities.filter((a) => a.phase === phase) ?? [];
  const ids = new Set(activities.map((a) => a.activityId));
  const retries = detail?.retryLog.filter((r) => ids.has(r.activityId)) ?? [];
  const steps = detail?.steps.filter((s) => s.phase === phase) ?? [];
  const types = activities.map((a) => a.activityType);
  const pending = detail?.pendingActivities.filter((p) => types.includes(p.activityType)) ?? [];
  const events = relatedEvents(props.history, types);
  const compensations = detail?.compensations.filter((c) => c.phase === phase) ?? [];

  return (
    <Drawer
      anchor="right"
      open={!!phase}
      onClose={onClose}
      data-testid="phase-drawer"
      data-phase={phase}
      // Above the app bar, so the phase's name and Close are never under it.
      sx={{ zIndex: (t) => t.zIndex.modal }}
    >
      <Box sx={{ width: 520, p: 2 }}>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mb: 1 }}>
          <Typography variant="h6" sx={{ flex: 1 }}>
            {def ? `${def.number}. ${def.label}` : phase}
          </Typography>
          {view && <Chip label={view.state} size="small" data-testid="phase-drawer-state" />}
          <IconButton aria-label="Close" onClick={onClose}>
            <CloseIcon />
          </IconButton>
        </Box>
        <Typography variant="body2" color="text.secondary" gutterBottom>
          Started {formatTime(view?.startedAt)} · took {formatDuration(view?.durationMs)} · compensation{' '}
          {def?.compensation.replace('_', ' ')}
        </Typography>
        <Typography variant="body2" gutterBottom data-testid="phase-drawer-time">
          Work {formatDuration(time.activeMs)} · waiting for a person {formatDuration(time.waitingMs)}
          {time.waitingFor ? ` (waiting for ${stepWords(time.waitingFor)} now)` : ''}
        </Typography>
        {view?.lastFailure && (
          <Typography variant="body2" color="error.main" gutterBottom>
            Last failure: {view.lastFailure}
          </Typography>
        )}
        <Divider sx={{ my: 1 }} />
        {compensations.map((c) => (
          <Section key={c.id} title={`Compensation: ${c.action}`}>
            <LedgerCounts detail={c.detail} />
            <CompensationOutcome entry={c} />
          </Section>
        ))}
        <Section title={`Activities (${activities.length})`}>
          {activities.length === 0 && <Typography variant="body2">None yet.</Typography>}
          {activities.map((a) => (
            <Box
              key={a.activityId}
              sx={{ mb: 1.5 }}
              data-testid="drawer-activity"
              data-activity-type={a.activityType}
            >
              <Typography variant="body2" sx={{ fontWeight: 600 }}>
                {a.activityType} · {a.retryClass} · {a.status} · {a.attempts} attempt
                {a.attempts === 1 ? '' : 's'}
              </Typography>
              <Table size="small">
                <TableHead>
                  <TableRow>
                    <TableCell>#</TableCell>
                    <TableCell>Status</TableCell>
                    <TableCell>Started</TableCell>
                    <TableCell>Took</TableCell>
                    <TableCell>Error</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {a.history.map((h) => (
                    <TableRow key={h.attempt}>
                      <TableCell>{h.attempt}</TableCell>
                      <TableCell>{h.status}</TableCell>
                      <TableCell>{formatTime(h.startedAt)}</TableCell>
                      <TableCell>{formatDuration(h.durationMs)}</TableCell>
                      <TableCell sx={{ color: 'error.main' }}>{h.error ?? ''}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </Box>
          ))}
        </Section>
        {pending.length > 0 && (
          <Section title="Pending in Temporal">
            {pending.map((p) => (
              <Typography key={p.activityId} variant="body2" data-testid="drawer-pending">
                {p.activityType} · {p.state.replace('PENDING_ACTIVITY_STATE_', '').toLowerCase()} · attempt{' '}
                {p.attempt} · heartbeat {formatTime(p.lastHeartbeatAt)}
                {p.lastFailure ? ` · last failure: ${p.lastFailure}` : ''}
              </Typography>
            ))}
          </Section>
        )}
        {retries.length > 0 && (
          <Section title={`Retry log (${retries.length})`}>
            {retries.map((r) => (
              <Typography key={`${r.activityId}:${r.attempt}`} variant="body2" color="warning.main">
                {formatTime(r.failedAt)} · {r.activityType} attempt {r.attempt}/{r.maxAttempts} · {r.error}
                {r.backoffMs != null ? ` · next in ${formatDuration(r.backoffMs)}` : ''}
                {r.exhausted ? ' · exhausted' : ''}
              </Typography>
            ))}
          </Section>
        )}
        {steps.length > 0 && (
          <Section title="Human steps">
            {steps.map((s) => (
              <Typography key={s.step} variant="body2">
                {s.step.replace(/_/g, ' ')} · {s.status} · since {formatTime(s.startedAt)}
              </Typography>
            ))}
          </Section>
        )}
        <Section title={`History events (${events.length} of ${props.history.length} loaded)`}>
          {events.map((e) => (
            <Box key={e.id} sx={{ mb: 1 }} data-testid="drawer-event" data-type={e.type}>
              <Typography variant="body2" sx={{ fontWeight: 600 }}>
                {e.id} · {e.type} · {formatTime(e.time)}
              </Typography>
              {e.type === 'ActivityTaskScheduled' && (
                <Json value={(e.attributes as { input?: unknown }).input} />
              )}
              {e.type === 'ActivityTaskCompleted' && (
                <Json value={(e.attributes as { result?: unknown }).result} />
              )}
              {e.type === 'ActivityTaskFailed' && (
                <Json value={(e.attributes as { failure?: unknown }).failure} />
              )}
            </Box>
          ))}
        </Section>
      </Box>
    </Drawer>
  );
}
