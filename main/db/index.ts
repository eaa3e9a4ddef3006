export { migrateAppDb, migrationsDir, MIGRATIONS_TABLE } from './migrate';
export { ProgressListener, PROGRESS_CHANNEL } from './listener';
export { AppDbPool } from './pool';
