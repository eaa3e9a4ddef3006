// The WAL archive of one cluster: its segments in order, gaps, how far it reaches, and what it holds.
import type { Segment } from '../recovery-driver';
import fs from 'node:fs';
import path from 'node:path';

const SEGMENT = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})$/;
/** 16 MB segments: 256 per "log" number. */
const SEGMENTS_PER_LOG = 0x100;

export type { Segment };

export function parseSegment(name: string): { timeline: number; position: number } | undefined {
  const m = SEGMENT.exec(name);
  if (!m) return undefined;
  return {
    timeline: parseInt(m[1]!, 16),
    position: parseInt(m[2]!, 16) * SEGMENTS_PER_LOG + parseInt(m[3]!, 16),
  };
}

/**
 * Segments written but not archived yet, from the last archived file's name and the current one's. Undefined
 * when the last archived file is not a segment (a timeline's `.history` right after a recovery, a `.backup`
 * label): the lag is then unknown, not a number made up from a file name.
 */
export function segmentLag(lastArchived: string, current: string): number | undefined {
  const last = parseSegment(lastArchived);
  const now = parseSegment(current);
  if (!last || !now) return undefined;
  return Math.max(0, now.position - last.position - 1);
}

export function segmentName(timeline: number, position: number): string {
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
  return hex(timeline) + hex(Math.floor(position / SEGMENTS_PER_LOG)) + hex(position % SEGMENTS_PER_LOG);
}

/** Complete segments in the archive (a `.part` is still being written and does not count), in WAL order. */
export function listSegments(dir: string): Segment[] {
  if (!fs.existsSync(dir)) return [];
  const out: Segment[] = [];
  for (const name of fs.readdirSync(dir)) {
    const parsed = parseSegment(name);
    if (!parsed) continue;
    const stat = fs.statSync(path.join(dir, name));
    out.push({ name, ...parsed, archivedAt: stat.mtime, bytes: stat.size });
  }
  return out.sort((a, b) => a.position - b.position || a.timeline - b.timeline);
}

export interface Reach {
  /** The last segment of the unbroken run that starts at `from`. */
  last?: Segment;
  /** The first missing position after `from`, when the run stops before the archive's end. */
  gapAt?: string;
}

/**
 * Follows the archive from a starting segment as far as it runs without a hole. Where a later timeline begins
 * (after an earlier recovery), the walk moves onto it, and from then on only that timeline's segments count.
 */
export function reachFrom(segments: Segment[], fromName: string): Reach {
  const from = parseSegment(fromName);
  if (!from) return {};
  const at = new Map<number, Segment[]>();
  for (const s of segments) at.set(s.position, [...(at.get(s.position) ?? []), s]);
  let last: Segment | undefined;
  let timeline = from.timeline;
  let position = from.position;
  for (;;) {
    const candidates = (at.get(position) ?? []).filter((s) => s.timeline >= timeline);
    if (candidates.length === 0) break;
    last = candidates.reduce((a, b) => (b.timeline > a.timeline ? b : a));
    timeline = last.timeline;
    position++;
  }
  const later = segments.some((s) => s.position > position && s.timeline >= timeline);
  return { last, gapAt: later ? segmentName(timeline, position) : undefined };
}

export function archiveBytes(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir).reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);
}

/** Removes segments older than what the oldest kept base backup needs; history files stay. */
export function pruneSegments(dir: string, keepFromName: string): string[] {
  const keepFrom = parseSegment(keepFromName);
  if (!keepFrom || !fs.existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    const parsed = parseSegment(name);
    if (parsed && parsed.position < keepFrom.position) {
      fs.rmSync(path.join(dir, name));
      removed.push(name);
    }
  }
  return removed;
}
