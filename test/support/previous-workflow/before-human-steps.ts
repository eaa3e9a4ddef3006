// The workflow code just before the human steps became validated updates, built by code: the current workflows
// with only the `validated-human-steps` branch off (the signals of that version). Bundled in place of
// '@temporalio/workflow'.
import { patched as current } from '@temporalio/workflow/lib/index.js';

export * from '@temporalio/workflow/lib/index.js';

export function patched(patchId: string): boolean {
  return patchId === 'validated-human-steps' ? false : current(patchId);
}
