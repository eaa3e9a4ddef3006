// Pages through a log file of any size without loading it: backwards from an offset (scrolling up, searching)
// and forwards from one (following). Only the lines returned are parsed in full.
import fs from 'node:fs';
import { parseLine, quickLevel, timeOf, type LogLevel, type ParsedLine } from './parse';

export interface PageLine extends ParsedLine {
  /** Byte offset of the line in the file: the cursor to page from. */
  offset: number;
}

export interface LogFilter {
  levels?: LogLevel[];
  /** Case-insensitive unless it has a capital letter (smart case, as ripgrep does). */
  text?: string;
  /** Milliseconds since the epoch: older lines are left out. */
  since?: number;
}

export interface LogPage {
  lines: PageLine[];
  /** Offset of the earliest byte looked at: pass it as `before` for the page above. */
  start: number;
  /** Offset just past the last complete line: pass it as `after` to follow. */
  end: number;
  /** Nothing above `start` is left to read (or all of it is older than `since`). */
  atStart: boolean;
  size: number;
  scannedBytes: number;
}

const CHUNK = 1 << 20;
const NEWLINE = 0x0a;

function matcher(filter: LogFilter): ((raw: string) => boolean) | undefined {
  const checks: Array<(raw: string) => boolean> = [];
  if (filter.text) {
    const needle = filter.text;
    const re = new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), /[A-Z]/.test(needle) ? '' : 'i');
    checks.push((raw) => re.test(raw));
  }
  if (filter.levels?.length) {
    const wanted = new Set(filter.levels);
    checks.push((raw) => wanted.has(quickLevel(raw)));
  }
  return checks.length ? (raw) => checks.every((c) => c(raw)) : undefined;
}

/** A chunk can be skipped whole when the text cannot be in it: most chunks, on a rare search. */
function chunkCanMatch(filter: LogFilter): (text: string) => boolean {
  if (!filter.text) return () => true;
  const needle = filter.text;
  const re = new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), /[A-Z]/.test(needle) ? '' : 'i');
  return (text) => re.test(text);
}

/**
 * Up to `limit` lines that end at or before `before` (default: the end of the file), newest last. Stops after
 * `maxScanBytes` even when fewer lines matched, so a rare search returns in bounded time and continues from
 * `start` on the next call.
 */
export function readBefore(
  file: string,
  options: LogFilter & { before?: number; limit: number; maxScanBytes?: number },
): LogPage {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const end = Math.min(options.before ?? size, size);
    const budget = options.maxScanBytes ?? 64 * CHUNK;
    const match = matcher(options);
    const canMatch = chunkCanMatch(options);
    const found: PageLine[] = [];
    let position = end;
    // Everything in [boundary, end) is done; it is always a line's start.
    let boundary = end;
    // Bytes from `position` on that belong to a line whose start lies in a chunk above.
    let carry = Buffer.alloc(0);
    let reachedSince = false;
    const buffer = Buffer.allocUnsafe(CHUNK);
    while (boundary > 0 && found.length < options.limit && end - position < budget && !reachedSince) {
      const length = Math.min(CHUNK, position);
      position -= length;
      fs.readSync(fd, buffer, 0, length, position);
      const data = carry.length
        ? Buffer.concat([buffer.subarray(0, length), carry])
        : buffer.subarray(0, length);
      // The first (partial) line of this chunk waits for the chunk above, unless this is the file's start.
      const firstNewline = position === 0 ? -1 : data.indexOf(NEWLINE);
      if (firstNewline === -1 && position > 0) {
        carry = Buffer.from(data);
        continue;
      }
      const body = data.subarray(firstNewline + 1);
      const bodyStart = position + firstNewline + 1;
      carry = Buffer.from(data.subarray(0, firstNewline + 1));
      const text = body.toString('utf8');
      if (options.since === undefined && !canMatch(text)) {
        boundary = bodyStart;
        continue;
      }
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      // A last line without its newline yet still counts one byte for it.
      let cursor = bodyStart + body.length + (body.length && body[body.length - 1] !== NEWLINE ? 1 : 0);
      for (let i = lines.length - 1; i >= 0; i--) {
        const raw = lines[i] as string;
        const bytes = Buffer.byteLength(raw) + 1;
        if (options.since !== undefined) {
          const t = timeOf(raw);
          if (t !== undefined && t < options.since) {
            reachedSince = true;
            break;
          }
        }
        cursor -= bytes;
        boundary = cursor;
        if (raw && (!match || match(raw))) found.push({ offset: cursor, ...parseLine(raw) });
        if (found.length >= options.limit) break;
      }
    }
    return {
      lines: found.reverse(),
      start: boundary,
      end,
      atStart: reachedSince || boundary === 0,
      size,
      scannedBytes: end - boundary,
    };
  } finally {
    fs.closeSync(fd);
  }
}

/** Complete lines from `after` on (following the file), up to `limit`; a file now smaller was rotated: from 0. */
export function readAfter(
  file: string,
  options: LogFilter & { after: number; limit: number },
): LogPage & { rotated: boolean } {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const rotated = options.after > size;
    let position = rotated ? 0 : options.after;
    const match = matcher(options);
    const found: PageLine[] = [];
    const buffer = Buffer.allocUnsafe(CHUNK);
    let pending = Buffer.alloc(0);
    let pendingStart = position;
    while (position < size && found.length < options.limit) {
      const read = fs.readSync(fd, buffer, 0, Math.min(CHUNK, size - position), position);
      if (read <= 0) break;
      position += read;
      const data = pending.length
        ? Buffer.concat([pending, buffer.subarray(0, read)])
        : buffer.subarray(0, read);
      let lineStart = 0;
      for (let nl = data.indexOf(NEWLINE); nl !== -1; nl = data.indexOf(NEWLINE, lineStart)) {
        const raw = data.subarray(lineStart, nl).toString('utf8');
        const offset = pendingStart + lineStart;
        lineStart = nl + 1;
        if (raw && (!match || match(raw))) {
          const t = options.since !== undefined ? timeOf(raw) : undefined;
          if (t === undefined || t >= options.since!) found.push({ offset, ...parseLine(raw) });
        }
        if (found.length >= options.limit) break;
      }
      pendingStart += lineStart;
      pending = Buffer.from(data.subarray(lineStart));
    }
    const end = pendingStart;
    return {
      lines: found,
      start: rotated ? 0 : options.after,
      end,
      atStart: false,
      size,
      scannedBytes: end - options.after,
      rotated,
    };
  } finally {
    fs.closeSync(fd);
  }
}
