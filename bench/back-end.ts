// What the benchmarks (and one test's child process) import from the back end: built on its own by
// `node build.mjs bench` into dist-bench/, never into dist/ (nothing here ships with the app).
import type { StackManager } from '../main/stack';
import { LocalProvider } from '../main/stack/local/provider';

export { createConsole } from '../main/console';
export { writeTemporalConfig } from '../main/stack/local/temporal-config';
export { UI_POLL_MS } from '../main/stack/local/ui';
export { resolveBinaries } from '../main/stack/binaries';
export { startBrowserServer } from '../main/transport';
export { postgresUrl } from '../main/stack/spec';
export { PROGRESS_CHANNEL, progressEvents } from '../main/db/listener';
export { anyFreePort } from '../main/stack/ports';
export { PHASES } from '../shared/phases';
export { backupProfile } from '../main/backup/dump-pipeline';
// The same Chromium launch as the e2e tests (one list of flags for both).
export { launchBrowser } from '../test/support/browser';

/** The local provider's clusters (the benches work on their folders); undefined on the other providers. */
export async function localClusters(stack: StackManager) {
  const provider = await stack.provider();
  return provider instanceof LocalProvider ? provider.clusters() : undefined;
}
