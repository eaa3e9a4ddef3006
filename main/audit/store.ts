// The audit trail: an append-only JSONL file in the data folder (one line per action, never rewritten).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { AuditEntry, AuditFilter } from '../api';

const CSV_COLUMNS = [
  'time',
  'profile',
  'production',
  'operator',
  'via',
  'op',
  'outcome',
  'error',
  'durationMs',
  'input',
];

const SECRET_KEY = /pass(word)?|secret|token|api.?key|private|clientkey|credential/i;
const MAX_STRING = 200;

/** The input as it may be written down: secrets replaced, long strings and arrays shortened. */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'string') {
    if (value.includes('-----BEGIN') && value.includes('PRIVATE KEY')) return '[redacted]';
    return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}… (${value.length} chars)` : value;
  }
  if (typeof value !== 'object') return value;
  if (depth > 6) return '[…]';
  if (Array.isArray(value)) {
    const head = value.slice(0, 20).map((v) => redact(v, depth + 1));
    return value.length > 20 ? [...head, `… ${value.length - 20} more`] : head;
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'secrets' && v && typeof v === 'object') {
      out[key] = Object.fromEntries(Object.keys(v).map((k) => [k, '[redacted]']));
    } else if (SECRET_KEY.test(key) && v !== undefined && v !== '') {
      out[key] = '[redacted]';
    } else if (/^(ca|clientCert)$/.test(key) && typeof v === 'string' && v.length > 0) {
      out[key] = `[certificate, ${v.length} chars]`;
    } else {
      out[key] = redact(v, depth + 1);
    }
  }
  return out;
}

export function matches(entry: AuditEntry, filter: AuditFilter): boolean {
  if (filter.op && !entry.op.startsWith(filter.op)) return false;
  if (filter.profile !== undefined && (entry.profile ?? 'embedded') !== filter.profile) return false;
  if (filter.operator && entry.operator !== filter.operator) return false;
  if (filter.outcome && entry.outcome !== filter.outcome) return false;
  if (filter.since && entry.time < new Date(filter.since).toISOString()) return false;
  if (filter.until && entry.time > new Date(filter.until).toISOString()) return false;
  if (filter.text) {
    const hay = `${entry.op} ${JSON.stringify(entry.input)} ${entry.error?.message ?? ''}`.toLowerCase();
    if (!hay.includes(filter.text.toLowerCase())) return false;
  }
  return true;
}

export class AuditStore {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'audit.jsonl');
  }

  /** Appends one entry with O_APPEND and fsync: a crash loses at most the line being written. */
  append(entry: Omit<AuditEntry, 'id'>): AuditEntry {
    const full: AuditEntry = { id: crypto.randomUUID(), ...entry };
    const fd = fs.openSync(this.file, 'a', 0o600);
    try {
      fs.writeSync(fd, JSON.stringify(full) + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return full;
  }

  /** Every entry, oldest first; a torn last line (a crash mid-write) is skipped. */
  all(): AuditEntry[] {
    if (!fs.existsSync(this.file)) return [];
    const entries: AuditEntry[] = [];
    for (const line of fs.readFileSync(this.file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        entries.push(JSON.parse(line) as AuditEntry);
      } catch {
        // torn line
      }
    }
    return entries;
  }

  list(filter: AuditFilter & { limit?: number }): { entries: AuditEntry[]; total: number } {
    const hits = this.all().filter((e) => matches(e, filter));
    return { entries: hits.reverse().slice(0, filter.limit ?? 200), total: hits.length };
  }

  export(filter: AuditFilter, format: 'jsonl' | 'csv'): { filename: string; content: string; count: number } {
    const hits = this.all().filter((e) => matches(e, filter));
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    if (format === 'jsonl') {
      return {
        filename: `ops-console-audit-${stamp}.jsonl`,
        content: hits.map((e) => JSON.stringify(e)).join('\n') + (hits.length ? '\n' : ''),
        count: hits.length,
      };
    }
    const rows = hits.map((e) =>
      [
        e.time,
        e.profile ?? 'embedded',
        e.production,
        e.operator,
        e.via,
        e.op,
        e.outcome,
        e.error?.message,
        e.durationMs,
        e.input,
      ].map((v) => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v))),
    );
    // escape_formulas: a cell starting with = + - @ (or a tab or carriage return) gets a leading ' so a
    // spreadsheet shows it as text instead of running it as a formula.
    const content = stringify(rows, { header: true, columns: CSV_COLUMNS, escape_formulas: true });
    return {
      filename: `ops-console-audit-${stamp}.csv`,
      content,
      count: hits.length,
    };
  }
}
