import type { Settings } from '../api';

export const DEFAULT_SETTINGS: Settings = {
  theme: 'system',
  temporal: {
    host: '127.0.0.1:7233',
    namespace: 'default',
    taskQueue: 'synapse-workflow-queue',
    activityTimeoutS: 300,
    workflowTimeoutS: 86_400,
    namespaceRetentionH: 72,
  },
  stack: {
    provider: 'local',
    ports: { appPostgres: 5432, temporalPostgres: 5434, temporal: 7233, temporalUi: 8088 },
    enableUi: true,
    dataDir: '',
    binaries: { postgresBinDir: '', temporalServer: '', temporalSqlTool: '', temporalUiServer: '' },
    startOnLaunch: false,
    servicesYield: true,
    archiving: { enabled: false, segmentTimeoutS: 60, baseBackupEveryH: 24, keepBaseBackups: 2 },
    docker: {
      images: {
        appPostgres: 'postgres:15.10',
        temporalPostgres: 'postgres:15.10',
        temporal: 'temporalio/auto-setup:1.29.1',
        ui: 'temporalio/ui:2.54.1',
      },
      network: 'bridge',
    },
  },
  worker: {
    enabled: true,
    autoApprove: false,
    maxConcurrentActivities: 100,
    processes: 1,
    retryBaseMs: 1000,
    dbLockTimeoutMs: 5000,
    llmBaseUrl: '',
    llmModel: '',
    mailWebhook: '',
    waitingReminderMin: 60,
    waitForOperator: false,
    attentionTimeoutH: 72,
  },
  logs: { maxFileMb: 20, keepFiles: 5 },
};

/** Environment variables the worker and its deployments read (TEMPORAL_*) that override settings, and how to read each. */
export const ENV_OVERRIDES: ReadonlyArray<{
  variable: string;
  path: string;
  parse: (raw: string) => unknown;
}> = [
  { variable: 'TEMPORAL_HOST', path: 'temporal.host', parse: (v) => v },
  { variable: 'TEMPORAL_NAMESPACE', path: 'temporal.namespace', parse: (v) => v },
  { variable: 'TEMPORAL_TASK_QUEUE', path: 'temporal.taskQueue', parse: (v) => v },
  { variable: 'TEMPORAL_ACTIVITY_TIMEOUT', path: 'temporal.activityTimeoutS', parse: Number },
  { variable: 'TEMPORAL_WORKFLOW_TIMEOUT', path: 'temporal.workflowTimeoutS', parse: Number },
  { variable: 'TEMPORAL_WORKER_ENABLED', path: 'worker.enabled', parse: (v) => /^(1|true|yes)$/i.test(v) },
  { variable: 'OPS_STACK_PROVIDER', path: 'stack.provider', parse: (v) => v },
];
