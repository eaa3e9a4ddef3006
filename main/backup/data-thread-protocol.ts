// What the console's main thread and its data threads (data-thread.ts) say to each other, and where the thread's
// bundle is found: dist/backup/data-thread.mjs, built by build.mjs beside the other bundles (unpacked in a package).
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { OpsError } from '../api';
import { shippedResources } from '../resources';

export interface FollowResult {
  rows: number;
  checksum: string;
  sha256: string;
  size: number;
  hashMs: number;
  checksumMs: number;
  fsyncMs: number;
}

export interface ReadResult {
  sha256: string;
}

/** How a followed file is gzipped (dump.ts, DUMP_GZIP). */
export interface GzipSettings {
  level: number;
  windowBits: number;
}

export type DataThreadRequest =
  | { type: 'follow'; id: number; src: string; tmp: string; gzip: GzipSettings }
  | { type: 'finished'; id: number }
  | { type: 'abort' }
  | { type: 'read'; id: number; file: string; gz: boolean }
  | { type: 'ack'; id: number; n: number }
  | { type: 'stop'; id: number };

export type DataThreadReply =
  | { id: number; bytes: number }
  | { id: number; chunk: Uint8Array }
  | { id: number; done: FollowResult }
  | { id: number; end: ReadResult }
  | { id: number; error: string };

/** One data thread, started from the built bundle. */
export function startDataThread(): Worker {
  const file = shippedResources().dataThread;
  if (!fs.existsSync(file))
    throw new OpsError(
      'INTERNAL',
      `The backup data thread is missing (${file}).`,
      'Build the console (node build.mjs) or reinstall it.',
    );
  return new Worker(file);
}
