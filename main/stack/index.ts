export { StackManager, stackModule, type StackModuleOptions } from './manager';
export { createProvider } from './providers';
export { resolveStackSpec, postgresUrl, APP_DATABASE, TEMPORAL_DATABASES } from './spec';
export { validateStack, overallOf } from './health';
export { resolveBinaries, type StackBinaries } from './binaries';
export { checkPorts, isPortFree, anyFreePort } from './ports';
export type { StackProvider, StackSpec, PostgresEndpoint, StepReporter } from './provider';
