export { BackupService, type BackupDeps } from './service';
export { reconcile, restartAdvice } from './reconcile';
export { restoreRefusals, compareVersions } from './guards';
export { expiredSets, listSets, readManifest } from './sets';
export { ContentHasher } from './content-hash';
