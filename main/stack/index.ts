export { StackManager, stackModule, type StackModuleOptions } from './manager';
export { createProvider } from './providers';
export { resolveStackSpec, postgresUrl, profileSecretKey, APP_DATABASE, TEMPORAL_DATABASES } from './spec';
export { validateStack, overallOf, skippedProbeCheck } from './health';
export { connectTemporal, diagnoseTemporalError, temporalConnectionOptions } from './connect';
export { validateConfig } from './config-check';
export { describeFoundStack } from './found-stack';
export { optionalProgram, resolveBinaries, type StackBinaries } from './binaries';
export { checkPorts, isPortFree, anyFreePort } from './ports';
export { lowerPostgresBackend, lowerPriority, lowerProcess, servicesNiceness } from './priority';
export type { StackProvider, StackSpec, PostgresEndpoint, StepReporter } from './provider';
export type { PgTools, RestoreOnly, ServerPipes, ToolConnection, ToolRun } from './pg-tools';
export { latestSchemaVersion } from './local/temporal';
// Point-in-time recovery: what recovery/ needs of the archive, the journal and a cluster's own connection.
export { reachFrom, segmentLag } from './pitr/wal';
export { recoveriesInProgress } from './pitr/journal';
export { withClusterClient } from './pitr/client';
export type {
  ArchivedCluster,
  BaseBackup,
  ClusterRecovery,
  RecoveryDriver,
  Segment,
} from './recovery-driver';
