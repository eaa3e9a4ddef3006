// The worker process: wires the pre-bundled workflow code and the activities to a Temporal worker. Its
// supervisor (main/supervisor) sends the config over IPC, asks it to drain, and reads its status and logs.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogEntry } from '@temporalio/worker';
import pg from 'pg';
import { createActivities } from './activities';
import type { SupervisorMessage, WorkerConfig, WorkerMessage } from '../shared/worker-protocol';

const here = path.dirname(fileURLToPath(import.meta.url));

function send(message: WorkerMessage): void {
  if (process.send) process.send(message);
  else if (message.type === 'log') process.stderr.write(`[${message.level}] ${message.message}\n`);
}

const levels: Record<string, 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'debug',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

let worker: Worker | undefined;
let draining = false;

async function run(config: WorkerConfig): Promise<void> {
  Runtime.install({
    logger: new DefaultLogger('INFO', (entry: LogEntry) =>
      send({ type: 'log', level: levels[entry.level] ?? 'info', message: entry.message }),
    ),
  });
  const pool = new pg.Pool({
    connectionString: config.appDbUrl,
    max: Math.min(20, Math.max(4, config.maxConcurrentActivities)),
  });
  pool.on('error', (err) => send({ type: 'log', level: 'warn', message: `app DB pool: ${err.message}` }));
  const tls = config.tls;
  const connection = await NativeConnection.connect({
    address: config.temporalAddress,
    ...(tls || config.apiKey
      ? {
          tls: {
            ...(tls?.serverName ? { serverNameOverride: tls.serverName } : {}),
            ...(tls?.ca ? { serverRootCACertificate: Buffer.from(tls.ca) } : {}),
            ...(tls?.clientCert && tls.clientKey
              ? { clientCertPair: { crt: Buffer.from(tls.clientCert), key: Buffer.from(tls.clientKey) } }
              : {}),
          },
        }
      : {}),
    ...(config.apiKey ? { apiKey: config.apiKey } : {}),
  });
  worker = await Worker.create({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    identity: config.identity,
    workflowBundle: { codePath: config.workflowBundlePath ?? path.join(here, 'workflow-bundle.js') },
    activities: createActivities({ pool, config }),
    maxConcurrentActivityTaskExecutions: config.maxConcurrentActivities,
    shutdownGraceTime: '10 s',
    // After a crash, a workflow task parked on the dead worker's sticky queue moves on quickly.
    stickyQueueScheduleToStartTimeout: '3 s',
  });
  const max = config.maxConcurrentActivities;
  const heartbeat = setInterval(() => {
    if (!worker) return;
    const s = worker.getStatus();
    send({
      type: 'status',
      status: {
        state: s.runState,
        polling: s.hasOutstandingWorkflowPoll || s.hasOutstandingActivityPoll,
        activitySlots: {
          used: s.numInFlightActivities,
          available: Math.max(0, max - s.numInFlightActivities),
        },
        workflowSlots: { used: s.numInFlightWorkflowActivations, available: s.numCachedWorkflows },
      },
    });
  }, 1000);
  send({ type: 'ready' });
  send({
    type: 'log',
    level: 'info',
    message: `worker polling ${config.taskQueue} on ${config.temporalAddress}`,
  });
  try {
    await worker.run();
  } finally {
    clearInterval(heartbeat);
    await connection.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
  }
}

function drain(): void {
  if (draining) return;
  draining = true;
  send({ type: 'log', level: 'info', message: 'draining: finishing in-flight tasks' });
  if (worker) worker.shutdown();
  else process.exit(0);
}

function start(config: WorkerConfig): void {
  run(config).then(
    () => process.exit(0),
    (err: Error) => {
      send({ type: 'log', level: 'error', message: `worker stopped: ${err.message}` });
      setTimeout(() => process.exit(1), 50);
    },
  );
}

process.on('message', (message: SupervisorMessage) => {
  if (message.type === 'config') start(message.config);
  if (message.type === 'drain') drain();
});
process.on('SIGTERM', drain);
process.on('SIGINT', drain);
// The supervisor went away: do not linger as an orphan.
process.on('disconnect', drain);
if (!process.send && process.env.OPS_WORKER_CONFIG)
  start(JSON.parse(process.env.OPS_WORKER_CONFIG) as WorkerConfig);
