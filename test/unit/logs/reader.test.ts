import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseLine, readAfter, readBefore, RotatingFile, partPath } from '../../../main/logs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logs-unit-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const temporalLine = (i: number, level = 'info') =>
  JSON.stringify({
    level,
    ts: `2026-11-30T10:${String(i % 60).padStart(2, '0')}:00.000Z`,
    msg: `event ${i}`,
    service: 'frontend',
  });
const postgresLine = (i: number, severity = 'LOG') =>
  `2026-11-30 10:00:${String(i % 60).padStart(2, '0')}.123 UTC [4242] ${severity}:  statement ${i}`;

describe('log lines read into time, level and message', () => {
  it('reads Temporal JSON and folds the other fields', () => {
    const parsed = parseLine(temporalLine(3, 'warn'));
    expect(parsed).toMatchObject({ time: '2026-11-30T10:03:00.000Z', level: 'warn', message: 'event 3' });
    expect(JSON.parse(parsed.rest!)).toEqual({ service: 'frontend' });
  });

  it("reads PostgreSQL's prefix and maps its severities", () => {
    expect(parseLine(postgresLine(5))).toMatchObject({
      time: '2026-11-30T10:00:05.123Z',
      level: 'info',
      message: 'statement 5',
    });
    expect(parseLine(postgresLine(5, 'FATAL')).level).toBe('error');
    expect(parseLine(postgresLine(5, 'WARNING')).level).toBe('warn');
  });

  it("reads the console's own lines and leaves anything else as it is", () => {
    expect(parseLine('2026-11-30T10:00:00.000Z warn stack: port taken')).toMatchObject({
      level: 'warn',
      message: 'stack: port taken',
    });
    expect(parseLine('panic: runtime error').level).toBe('info');
    expect(parseLine('ERROR something broke').level).toBe('error');
  });
});

describe('paging a log file', () => {
  const file = path.join(dir, 'temporal.log');
  const count = 30_000;
  fs.writeFileSync(
    file,
    Array.from({ length: count }, (_, i) =>
      i % 1000 === 7 ? temporalLine(i, 'error') : temporalLine(i),
    ).join('\n') + '\n',
  );

  it('pages back through the whole file, every line once, in order', () => {
    const seen: string[] = [];
    let before: number | undefined;
    for (;;) {
      const page = readBefore(file, { before, limit: 997 });
      seen.unshift(...page.lines.map((l) => l.message));
      if (page.atStart) break;
      expect(page.start).toBeLessThan(before ?? Infinity);
      before = page.start;
    }
    expect(seen.length).toBe(count);
    expect(seen[0]).toBe('event 0');
    expect(seen[count - 1]).toBe(`event ${count - 1}`);
  });

  it('filters by level and by text, continuing a search from where it stopped', () => {
    const errors = readBefore(file, { limit: 100, levels: ['error'] });
    expect(errors.lines.map((l) => l.message)).toEqual(
      Array.from({ length: 30 }, (_, i) => `event ${i * 1000 + 7}`),
    );
    const small = readBefore(file, { limit: 100, text: 'EVENT 29007', maxScanBytes: 1 << 20 });
    expect(small.lines).toEqual([]);
    expect(small.atStart).toBe(false);
    const found = readBefore(file, { limit: 100, text: 'event 7"', before: small.start });
    expect(found.lines.map((l) => l.message)).toEqual(['event 7']);
    expect(found.atStart).toBe(true);
  });

  it('stops at --since', () => {
    const page = readBefore(file, { limit: 5000, since: Date.parse('2026-11-30T10:59:00.000Z') });
    expect(page.atStart).toBe(true);
    expect(page.lines.every((l) => l.time === '2026-11-30T10:59:00.000Z')).toBe(true);
  });

  it('follows what is appended after an offset, and starts again after a rotation', () => {
    const end = readBefore(file, { limit: 1 }).end;
    fs.appendFileSync(file, `${postgresLine(1)}\n${postgresLine(2)}\npartial`);
    const next = readAfter(file, { after: end, limit: 100 });
    expect(next.lines.map((l) => l.message)).toEqual(['statement 1', 'statement 2']);
    expect(readAfter(file, { after: next.end, limit: 100 }).lines).toEqual([]);
    const short = path.join(dir, 'short.log');
    fs.writeFileSync(short, `${postgresLine(9)}\n`);
    const again = readAfter(short, { after: next.end, limit: 100 });
    expect(again.rotated).toBe(true);
    expect(again.lines.map((l) => l.message)).toEqual(['statement 9']);
  });
});

describe('log rotation', () => {
  it('rotates at the size and keeps the configured number of old files', () => {
    const file = path.join(dir, 'console.log');
    const writer = new RotatingFile(file, () => ({ maxBytes: 1000, keep: 2 }));
    for (let i = 0; i < 100; i++) {
      writer.append(`line ${i} ${'x'.repeat(90)}`);
      writer.flush();
    }
    writer.close();
    expect(fs.existsSync(partPath(file, 1))).toBe(true);
    expect(fs.existsSync(partPath(file, 2))).toBe(true);
    expect(fs.existsSync(partPath(file, 3))).toBe(false);
    for (const part of [1, 2]) expect(fs.statSync(partPath(file, part)).size).toBeGreaterThanOrEqual(1000);
    expect(fs.readFileSync(partPath(file, 1), 'utf8')).toContain('line 98');
  });
});
