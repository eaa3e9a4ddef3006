import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Grid from '@mui/material/Grid';
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useEffect, useState, type ReactNode } from 'react';
import type { ServiceId } from '../../../main/api/contract';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { RemoveStackDialog } from '../components/RemoveStackDialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { FileLogViewer } from '../components/FileLogViewer';
import { ServiceAlertList, ServiceAlertView } from '../components/ServiceAlertView';
import { openAlertsOf, useServiceAlerts } from '../stores/serviceAlerts';
import { ServiceCard, ServiceCardButton, uptime } from '../components/ServiceCard';
import { StartProgress } from '../components/StartProgress';
import { ValidationReportView } from '../components/ValidationReportView';
import { useSettings } from '../stores/settings';
import { useStack } from '../stores/stack';
import { WorkerProcesses, workerProcessesRunning } from '../components/WorkerProcesses';
import { LiveIndicator } from '../components/inspection/LiveIndicator';
import { useFreshness } from '../stores/live';
import { WorkerUpgradeDialog } from '../components/WorkerUpgradeDialog';
import { ArchiveHealthCards } from '../components/ArchiveHealthCards';
import { useRecovery } from '../stores/recovery';
import { OpenInWebUiButton, WebUiFeedback } from '../components/WebUiButtons';
import { needsPostgres, PostgresMissing } from '../components/PostgresMissing';

const PORT_SETTING: Record<ServiceId, 'appPostgres' | 'temporalPostgres' | 'temporal' | 'temporalUi'> = {
  'app-postgres': 'appPostgres',
  'temporal-postgres': 'temporalPostgres',
  temporal: 'temporal',
  'temporal-ui': 'temporalUi',
};

function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export function StackPage() {
  const {
    status,
    worker,
    report,
    ports,
    busy,
    error,
    start,
    stop,
    restart,
    restartService,
    validate,
    clearError,
    startWorker,
    stopWorker,
    remove,
  } = useStack();
  const [confirmRemove, setConfirmRemove] = useState(false);
  const saveSettings = useSettings((s) => s.save);
  const alerts = useServiceAlerts((s) => s.alerts);
  const acknowledge = useServiceAlerts((s) => s.acknowledge);
  const [confirmStop, setConfirmStop] = useState(false);
  const [logsFor, setLogsFor] = useState<string | undefined>();
  const [upgrading, setUpgrading] = useState(false);
  const now = useNow();
  // The worker's state is as live as the stream it comes over: with the stack or the connection gone, the card
  // says since when it is stale instead of a running, healthy worker.
  const { live } = useFreshness();
  const archiving = useRecovery((s) => s.health);
  const loadArchiving = useRecovery((s) => s.loadHealth);

  useEffect(() => {
    void useServiceAlerts.getState().load();
  }, []);

  const state = status?.state ?? 'stopped';
  const running = state === 'running' || state === 'degraded';
  const attached = status?.provider === 'attached';

  // Archiving health follows the running stack: last segment, lag and size move with every segment archived.
  useEffect(() => {
    if (!running || attached) return;
    void loadArchiving();
    const timer = setInterval(() => void loadArchiving(), 10_000);
    return () => clearInterval(timer);
  }, [running, attached, loadArchiving]);
  const names = status?.services.filter((s) => s.state === 'running').map((s) => s.label) ?? [];

  return (
    <Box>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 2 }}>
        <Typography variant="h5" component="h1" sx={{ flex: 1 }}>
          Stack{' '}
          <Typography component="span" color="text.secondary">
            ({status?.provider ?? '…'}) —{' '}
          </Typography>
          <span data-testid="stack-state">{state}</span>
        </Typography>
        <Button
          variant="contained"
          onClick={() => void start()}
          disabled={Boolean(busy) || state === 'running' || attached}
          data-testid="stack-start-all"
        >
          Start all
        </Button>
        <Button
          variant="outlined"
          color="error"
          onClick={() => setConfirmStop(true)}
          disabled={Boolean(busy) || state === 'stopped' || attached}
          data-testid="stack-stop-all"
        >
          Stop all
        </Button>
        <Button
          variant="outlined"
          onClick={() => void restart()}
          disabled={Boolean(busy) || !running || attached}
          data-testid="stack-restart"
        >
          Restart
        </Button>
        <Button
          variant="outlined"
          color="error"
          onClick={() => setConfirmRemove(true)}
          disabled={Boolean(busy) || status?.provider === 'attached'}
          data-testid="stack-remove"
        >
          Remove…
        </Button>
        <Button
          variant="outlined"
          onClick={() => void validate()}
          disabled={Boolean(busy)}
          data-testid="stack-validate"
        >
          Validate
        </Button>
      </Stack>
      {busy && <LinearProgress sx={{ mb: 1 }} />}
      {attached && (
        <Alert severity="info" sx={{ mb: 2 }} data-testid="stack-attached-note">
          This stack runs elsewhere (an attached profile): the console does not start, stop or restart it.
          Validate it, run the worker and cycles, and inspect it here; manage the cluster itself where it
          runs.
        </Alert>
      )}
      {needsPostgres(error) && error ? (
        <PostgresMissing
          error={error}
          busy={Boolean(busy)}
          onUseDocker={() => void saveSettings({ stack: { provider: 'docker' } }).then(clearError)}
        />
      ) : (
        error && <ErrorAlert error={error} onClose={clearError} />
      )}
      {ports.length > 0 && (
        <Alert severity="warning" data-testid="port-conflicts" sx={{ mb: 2 }}>
          {ports.map((p) => (
            <Box key={p.service} sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
              Port {p.port} ({p.service}) is taken by {p.owner ?? 'another process'}.
              {p.suggestion && (
                <Button
                  size="small"
                  onClick={() =>
                    void saveSettings({ stack: { ports: { [PORT_SETTING[p.service]]: p.suggestion } } }).then(
                      () => useStack.getState().checkPorts(),
                    )
                  }
                  data-testid={`use-port-${p.service}`}
                >
                  Use {p.suggestion}
                </Button>
              )}
            </Box>
          ))}
        </Alert>
      )}
      {status && (state === 'starting' || state === 'failed') && <StartProgress steps={status.steps} />}
      <WebUiFeedback />
      <Grid container spacing={2}>
        {status?.services.map((s) => (
          <Grid key={s.id} size={{ xs: 12, sm: 6, lg: 4 }}>
            <ServiceCard
              id={s.id}
              title={s.label}
              state={s.state}
              health={s.health}
              message={s.state === 'failed' ? s.message : undefined}
              facts={[
                ['Port', s.port ?? '—'],
                ['Version', s.version ?? '—'],
                ['Uptime', s.state === 'running' ? uptime(s.startedAt, now) : '—'],
                ['PID', s.pid ?? '—'],
                ...(s.restartPolicy
                  ? [
                      [
                        'Restarts',
                        <span
                          key="r"
                          title={`Restart policy: ${s.restartPolicy}`}
                          data-testid={`restarts-${s.id}`}
                        >
                          {s.restarts ?? 0} in 10 min · {s.restartPolicy}
                        </span>,
                      ] as [string, ReactNode],
                    ]
                  : []),
              ]}
              alerts={openAlertsOf(alerts, s.id).map((a) => (
                <ServiceAlertView key={a.id} alert={a} onAcknowledge={() => void acknowledge([a.id])} />
              ))}
              actions={
                <>
                  <ServiceCardButton
                    onClick={() => void restartService(s.id)}
                    disabled={Boolean(busy) || s.state !== 'running'}
                    testId={`restart-${s.id}`}
                  >
                    Restart
                  </ServiceCardButton>
                  <ServiceCardButton
                    onClick={() => setLogsFor(s.id)}
                    testId={`logs-${s.id}`}
                    disabled={s.state === 'disabled'}
                  >
                    Logs
                  </ServiceCardButton>
                  {/* Only a running Web UI can be opened. */}
                  {s.id === 'temporal-ui' && s.state === 'running' && (
                    <OpenInWebUiButton refreshKey={`${s.state}:${s.port}`} testId="open-web-ui-from-card" />
                  )}
                </>
              }
            />
          </Grid>
        ))}
        <Grid size={{ xs: 12, sm: 6, lg: 4 }}>
          {worker ? (
            <ServiceCard
              id="worker"
              title="Worker"
              state={live ? worker.state : `${worker.state} when last read`}
              health={
                !live
                  ? 'unknown'
                  : worker.state === 'running'
                    ? worker.polling
                      ? 'healthy'
                      : 'degraded'
                    : worker.state === 'crashed'
                      ? 'failed'
                      : worker.state === 'backoff'
                        ? 'degraded'
                        : 'unknown'
              }
              message={
                worker.state === 'backoff' && worker.nextRestartAt
                  ? `${worker.lastError ?? 'crashed'}; restarting at ${new Date(worker.nextRestartAt).toLocaleTimeString()}`
                  : worker.lastError
              }
              facts={[
                ['Task queue', worker.taskQueue],
                [
                  'Slots',
                  worker.activitySlots
                    ? `${worker.activitySlots.used} / ${worker.activitySlots.used + worker.activitySlots.available} activities`
                    : '—',
                ],
                ['Heartbeat', worker.lastHeartbeat ? `${uptime(worker.lastHeartbeat, now)} ago` : '—'],
                [
                  'Processes',
                  <span key="p" data-testid="worker-running-processes">
                    {workerProcessesRunning(worker)} running{live ? '' : ' when last read'}
                  </span>,
                ] as [string, ReactNode],
                ['Restarts', worker.restarts],
              ]}
              alerts={<LiveIndicator syncedAt={undefined} testId="worker-live-state" />}
              actions={
                <>
                  {worker.state === 'stopped' || worker.state === 'backoff' || worker.state === 'crashed' ? (
                    <ServiceCardButton
                      onClick={() => void startWorker()}
                      testId="worker-start"
                      disabled={!running || busy !== undefined}
                    >
                      Start
                    </ServiceCardButton>
                  ) : (
                    <ServiceCardButton
                      onClick={() => void stopWorker()}
                      testId="worker-stop"
                      disabled={busy !== undefined || worker.state === 'draining'}
                    >
                      Drain &amp; stop
                    </ServiceCardButton>
                  )}
                  <ServiceCardButton
                    onClick={() => setUpgrading(true)}
                    testId="worker-replay-check"
                    disabled={!running}
                  >
                    Check replay &amp; restart…
                  </ServiceCardButton>
                  <ServiceCardButton onClick={() => setLogsFor('worker-0')} testId="logs-worker">
                    Logs
                  </ServiceCardButton>
                </>
              }
            />
          ) : (
            <ServiceCard
              id="worker"
              title="Worker"
              state="not available"
              health="unknown"
              facts={[['Status', 'not part of this build yet']]}
            />
          )}
        </Grid>
      </Grid>
      {worker && <WorkerProcesses worker={worker} />}
      <Box sx={{ mt: 3 }}>
        <Typography variant="h6" sx={{ mb: 1 }}>
          Service alerts
        </Typography>
        <ServiceAlertList alerts={alerts} onAcknowledge={(ids) => void acknowledge(ids)} />
      </Box>
      <WorkerUpgradeDialog open={upgrading} onClose={() => setUpgrading(false)} />
      {running && !attached && archiving.length > 0 && (
        <Box sx={{ mt: 3 }} data-testid="stack-archiving">
          <Typography variant="h6" sx={{ mb: 1 }}>
            Continuous archiving
          </Typography>
          {archiving.some((h) => h.enabled) ? (
            <ArchiveHealthCards health={archiving} />
          ) : (
            <Typography variant="body2" color="text.secondary">
              Off: the databases can only go back to a backup set. The Recovery page turns it on.
            </Typography>
          )}
        </Box>
      )}
      {report && (
        <Box sx={{ mt: 3 }}>
          <ValidationReportView report={report} />
        </Box>
      )}
      <RemoveStackDialog
        open={confirmRemove}
        provider={status?.provider ?? 'local'}
        onCancel={() => setConfirmRemove(false)}
        onConfirm={(deleteData, confirm) => {
          setConfirmRemove(false);
          void remove(deleteData, confirm);
        }}
      />
      <ConfirmDialog
        open={confirmStop}
        title="Stop the whole stack?"
        confirmLabel="Stop all"
        onCancel={() => setConfirmStop(false)}
        onConfirm={() => {
          setConfirmStop(false);
          void stop();
        }}
      >
        This stops {names.length ? names.join(', ') : 'every service'}. Running workflows pause until the
        stack starts again. All data is kept.
      </ConfirmDialog>
      <Dialog
        open={Boolean(logsFor)}
        onClose={() => setLogsFor(undefined)}
        maxWidth="lg"
        fullWidth
        data-testid="service-log-dialog"
      >
        <DialogTitle>Logs: {logsFor}</DialogTitle>
        <DialogContent>{logsFor && <FileLogViewer name={logsFor} />}</DialogContent>
      </Dialog>
    </Box>
  );
}
