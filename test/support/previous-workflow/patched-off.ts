// The previous version of the workflow code, built by code: the current workflows with every `patched()` branch
// off, which is exactly the code before those patches were added. Bundled in place of '@temporalio/workflow'.
export * from '@temporalio/workflow/lib/index.js';

export function patched(_patchId: string): boolean {
  return false;
}
