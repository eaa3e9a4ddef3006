// Reads one log line of any service into time, level and message, with the rest kept for folding open.
import type { LogLine } from '../api';

export type LogLevel = LogLine['level'];

export interface ParsedLine {
  time?: string;
  level: LogLevel;
  message: string;
  /** What is neither time, level nor message: a JSON line's other fields, pretty-printed. */
  rest?: string;
}

// PostgreSQL with the stacks' log_line_prefix '%m [%p] ': "2026-11-30 10:00:00.123 UTC [4242] LOG:  text".
const POSTGRES =
  /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?)(?: ([A-Z]{2,5}|[+-]\d\d))? \[(\d+)\] ([A-Z]+):\s+(.*)$/;
// What the console writes for itself and the worker: "2026-11-30T10:00:00.123Z warn source: text".
const CONSOLE = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) (debug|info|warn|error) ([^:\s]+): (.*)$/;

const POSTGRES_LEVELS: Record<string, LogLevel> = {
  DEBUG1: 'debug',
  DEBUG2: 'debug',
  DEBUG3: 'debug',
  DEBUG4: 'debug',
  DEBUG5: 'debug',
  WARNING: 'warn',
  ERROR: 'error',
  FATAL: 'error',
  PANIC: 'error',
};

/** Temporal (zap) and the Web UI spell levels their own way; everything maps onto the console's four. */
export function levelOf(word: string | undefined): LogLevel {
  switch ((word ?? '').toLowerCase()) {
    case 'debug':
      return 'debug';
    case 'warn':
    case 'warning':
      return 'warn';
    case 'error':
    case 'dpanic':
    case 'panic':
    case 'fatal':
      return 'error';
    default:
      return 'info';
  }
}

const JSON_LEVEL = /"level":"(\w+)"/;
const PLAIN_LEVEL: Array<[RegExp, LogLevel]> = [
  [/\b(FATAL|PANIC|ERROR)\b/, 'error'],
  [/\b(WARNING|WARN)\b/, 'warn'],
];

/** The level alone, without parsing the whole line: what filters use while scanning a large file. */
export function quickLevel(raw: string): LogLevel {
  if (raw.startsWith('{')) return levelOf(JSON_LEVEL.exec(raw)?.[1]);
  const pg = POSTGRES.exec(raw);
  if (pg) return POSTGRES_LEVELS[pg[4] as string] ?? 'info';
  const own = CONSOLE.exec(raw);
  if (own) return own[2] as LogLevel;
  return PLAIN_LEVEL.find(([re]) => re.test(raw))?.[1] ?? 'info';
}

export function parseLine(raw: string): ParsedLine {
  if (raw.startsWith('{')) {
    try {
      const { level, ts, msg, ...rest } = JSON.parse(raw) as Record<string, unknown>;
      return {
        time:
          typeof ts === 'string'
            ? ts
            : typeof ts === 'number'
              ? new Date(ts * 1000).toISOString()
              : undefined,
        level: levelOf(typeof level === 'string' ? level : undefined),
        message: typeof msg === 'string' ? msg : raw,
        rest: Object.keys(rest).length ? JSON.stringify(rest, null, 2) : undefined,
      };
    } catch {
      // Not JSON after all: read as plain text below.
    }
  }
  const pg = POSTGRES.exec(raw);
  if (pg) {
    const [, stamp, zone, pid, severity, message] = pg as unknown as string[];
    const iso = zone === 'UTC' || zone === 'GMT' ? `${stamp!.replace(' ', 'T')}Z` : stamp;
    return {
      time: iso,
      level: POSTGRES_LEVELS[severity!] ?? 'info',
      message: severity === 'LOG' ? message! : `${severity}: ${message}`,
      rest: `pid ${pid}`,
    };
  }
  const own = CONSOLE.exec(raw);
  if (own) return { time: own[1], level: own[2] as LogLevel, message: `${own[3]}: ${own[4]}` };
  return { level: quickLevel(raw), message: raw };
}

/** A line's time as milliseconds, for `--since`; undefined when the line has none. */
export function timeOf(raw: string): number | undefined {
  const time = parseLine(raw).time;
  if (!time) return undefined;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? undefined : ms;
}
