// The log drawer's lines: pushed lines join what the drawer holds without repeating one it already has. A line
// can come twice: in the drawer's read of the recent lines and, a moment later, as a pushed event (the console
// sends log lines together every quarter of a second).
import type { LogLine } from '../../../main/api/contract';

const key = (l: LogLine) => `${l.seq}@${l.ts}`;

/**
 * The pushed lines not already held. Held lines are in the order of their numbers, so only those from the first
 * pushed number on are compared; a restarted console numbers from 1 again, and its lines differ in their time.
 */
export function unseenLines(held: readonly LogLine[], pushed: readonly LogLine[]): LogLine[] {
  if (pushed.length === 0) return [];
  const first = Math.min(...pushed.map((l) => l.seq));
  const have = new Set<string>();
  for (let i = held.length - 1; i >= 0 && held[i]!.seq >= first; i--) have.add(key(held[i]!));
  return have.size === 0 ? [...pushed] : pushed.filter((l) => !have.has(key(l)));
}
