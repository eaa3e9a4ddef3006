// What the benchmarks import from the built back end (bench/ runs plain Node against dist/).
export { createConsole } from './console';
export { writeTemporalConfig } from './stack/local/temporal-config';
export { resolveBinaries } from './stack/binaries';
export { startBrowserServer } from './transport';
export { postgresUrl } from './stack/spec';
export { backupProfile } from './backup/dump-pipeline';
