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

/**
 * A table loaded through a named pipe the server opens itself (a server on this machine): `program` (igzip)
 * decompresses the file straight into the pipe and the server's COPY reads it, so the table's bytes never pass
 * through the console. The file's sha256 is taken from a read of its own.
 */
export interface PipeCopy {
  /** Where the pipe is made: a folder the server's process can open files in. */
  path: string;
  /** The user the server runs as, given the pipe (when the console is root). */
  owner?: { uid: number; gid: number };
  /** The decompressor, run as `program -dc file`. */
  program: string;
  /** The COPY … FROM '<path>' the server runs. */
  copy: string;
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
      /** The server reads the decompressed bytes itself, from a named pipe `program` writes into (see PipeCopy). */
      pipe?: PipeCopy;
    }
  | { type: 'stop'; id: number }
  /** Ends the thread's sessions to `database` (all of them without it). */
  | { type: 'release'; id: number; database?: string };

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
