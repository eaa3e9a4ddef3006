// The workflow code as it was before validated human steps and the truthful saga, built by code: the current
// workflows with those two `patched()` branches off (signals for human steps, compensation as it was). Bundled in
// place of '@temporalio/workflow'.
import { patched as current } from '@temporalio/workflow/lib/index.js';

export * from '@temporalio/workflow/lib/index.js';

const AFTER_RELEASE = new Set(['validated-human-steps', 'truthful-compensation', 'tracking-in-activities']);

export function patched(patchId: string): boolean {
  return AFTER_RELEASE.has(patchId) ? false : current(patchId);
}
