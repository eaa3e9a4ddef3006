// What the console's main thread and its data threads (data-thread.ts) say to each other, and where the thread's
// bundle is found: dist/backup/data-thread.mjs, built by build.mjs beside the other bundles (unpacked in a package).
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { OpsError } from '../api';
import { shippedResources } from '../resources';
import type { Endpoint } from './database';

export interface FollowResult {
  rows: number;
  checksum: string;
  sha256: string;
  size: number;
  hashMs: number;
  checksumMs: number;
  fsyncMs: number;
}

export interface CopyResult {
  /** Of the data file as it lies in the set. */
  sha256: string;
  /** The server's own count of the rows the COPY took. */
  rows: number;
}

/** A lane's connection to the new database (plain data: it crosses to the thread). */
export type CopyConnection = Endpoint & { database: string };

/** How a followed file is gzipped (dump.ts, DUMP_GZIP). */
export interface GzipSettings {
  level: number;
  windowBits: number;
  /** ISA-L's igzip, when this machine has it: the file streams through it at `-<level>` instead of zlib. */
  program?: string;
}

export type DataThreadRequest =
  | { type: 'follow'; id: number; src: string; tmp: string; gzip: GzipSettings }
  | { type: 'finished'; id: number }
  | { type: 'abort' }
  /** Runs `begin`, then `copy` fed with the file's decompressed bytes, then COMMIT, on the lane's session. */
  | {
      type: 'copy';
      id: number;
      lane: number;
      conn: CopyConnection;
      file: string;
      gz: boolean;
      begin: string;
      copy: string;
    }
  | { type: 'stop'; id: number }
  | { type: 'release'; id: number; lane: number };

export type DataThreadReply =
  | { id: number; bytes: number }
  | { id: number; done: FollowResult }
  | { id: number; copied: CopyResult }
  | { id: number; released: true }
  /** `session`: the connection or the statements around the COPY failed, not the file's bytes. */
  | { id: number; error: string; session?: boolean };

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
