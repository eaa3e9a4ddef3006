// The workflow code just before the saga patch, built by code: every `patched()` branch as it is except
// 'truthful-compensation', which is off (as if the code had never had it). Bundled in place of '@temporalio/workflow'.
import { patched as recorded } from '@temporalio/workflow/lib/index.js';

export * from '@temporalio/workflow/lib/index.js';

export function patched(patchId: string): boolean {
  return patchId === 'truthful-compensation' ? false : recorded(patchId);
}
