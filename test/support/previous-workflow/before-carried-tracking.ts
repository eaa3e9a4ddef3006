// The workflow code as it was before its tracking events rode on the activities (a tracking step between phases,
// the workflow writing every phase completed), built by code: the current workflows with that one `patched()`
// branch off. Bundled in place of '@temporalio/workflow'.
import { patched as current } from '@temporalio/workflow/lib/index.js';

export * from '@temporalio/workflow/lib/index.js';

export function patched(patchId: string): boolean {
  return patchId === 'tracking-in-activities' ? false : current(patchId);
}
