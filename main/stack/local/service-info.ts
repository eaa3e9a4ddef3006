// What the local provider's status reads about a running service besides its pid: Temporal's version, a start time.
import fs from 'node:fs';
import { probeTemporal } from '../connect';

export async function temporalVersion(address: string): Promise<string> {
  try {
    const info = await probeTemporal({ address }, (c) => c.workflowService.getSystemInfo({}));
    return info.serverVersion ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** When a process started, from /proc (for services adopted from an earlier console). */
export function processStart(pid: number): string | undefined {
  try {
    return fs.statSync(`/proc/${pid}`).mtime.toISOString();
  } catch {
    return undefined;
  }
}
