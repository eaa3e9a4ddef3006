// `up` on a fresh home: a quiet terminal, then every service's log on disk, rotated at the configured size, and
// the viewer's API paging a 1 GB log.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsole, type WiredConsole } from '../../../main/console';
import { postgresUrl } from '../../../main/stack';
import { scratchHome, startConsole, type ConsoleProcess } from '../../support/console-process';
import { freeStackSettings } from '../../support/stack-settings';

let up: ConsoleProcess;
let reader: WiredConsole;
let home: string;

async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  home = scratchHome({ ...(await freeStackSettings()), logs: { maxFileMb: 1, keepFiles: 2 } });
  up = await startConsole('up', home, 240_000);
  // A second console on the same data folder reads the files, as `ops-console logs` does.
  reader = createConsole({ mode: 'cli', dataDir: home, env: {} });
}, 300_000);

afterAll(async () => {
  await up?.stop();
  await reader?.shutdown();
});

describe('a quiet terminal', () => {
  it('prints at most 15 lines before the address, one per start step, and no service output', () => {
    const out = up.output();
    const before = out
      .slice(0, out.indexOf('serving at'))
      .split('\n')
      .filter((l) => l.trim());
    // The address's own line is the last one counted.
    expect(before.length).toBeLessThanOrEqual(15);
    expect(before).toEqual(
      expect.arrayContaining([
        'Starting the embedded stack…',
        expect.stringMatching(/^ {2}✓ Start both PostgreSQL clusters \(\d+\.\d s\)/),
        expect.stringMatching(/^ {2}✓ Start Temporal server/),
        'The embedded stack is running.',
      ]),
    );
    expect(out).not.toContain('"level"');
    expect(out).not.toMatch(/\[\d+\] LOG: /);
  });
});

describe('logs on disk', () => {
  it("writes each service's, the worker's and the console's log under logs/", async () => {
    const dir = path.join(home, 'logs');
    const wanted = ['app-postgres', 'temporal-postgres', 'temporal', 'console', 'worker-0'];
    await waitFor('the log files', () => wanted.every((n) => fs.existsSync(path.join(dir, `${n}.log`))));
    const files = await reader.router.invoke('logs.files', {});
    expect(files.map((f) => f.name)).toEqual(expect.arrayContaining(wanted));
    // Temporal's JSON lines are read into time, level and message, the other fields folded.
    const page = await reader.router.invoke('logs.read', { name: 'temporal', limit: 50 });
    const parsed = page.lines.find((l) => l.rest);
    expect(parsed?.time).toMatch(/^2\d{3}-/);
    expect(parsed?.message).not.toMatch(/^\{/);
    const console = await reader.router.invoke('logs.read', { name: 'console', text: 'stack running' });
    expect(console.lines.length).toBeGreaterThan(0);
  });

  it('rotates a log at the configured size and keeps the configured number of old files', async () => {
    const spec = reader.stack.spec();
    const client = new pg.Client({
      connectionString: postgresUrl(spec.appPostgres, spec.appPostgres.database),
    });
    await client.connect();
    try {
      // RAISE LOG goes to the server's log only: about 3.5 MB of it.
      await client.query(
        `DO $$ BEGIN FOR i IN 1..25000 LOOP RAISE LOG 'filler % %', i, repeat('x', 100); END LOOP; END $$`,
      );
    } finally {
      await client.end();
    }
    const file = (part: number) =>
      path.join(home, 'logs', part ? `app-postgres.${part}.log` : 'app-postgres.log');
    await waitFor('two rotated parts', () => fs.existsSync(file(2)));
    await waitFor('the last filler line', () => {
      for (const part of [0, 1])
        if (fs.existsSync(file(part)) && fs.readFileSync(file(part), 'utf8').includes('filler 25000 '))
          return true;
      return false;
    });
    expect(fs.existsSync(file(3))).toBe(false);
    for (const part of [1, 2]) {
      const size = fs.statSync(file(part)).size;
      expect(size).toBeGreaterThanOrEqual(1024 * 1024);
      expect(size).toBeLessThan(1.5 * 1024 * 1024);
    }
    const rotated = await reader.router.invoke('logs.read', {
      name: 'app-postgres',
      part: 1,
      text: 'filler',
      limit: 4,
    });
    // Each RAISE LOG line is followed by the STATEMENT that raised it, which names the filler too:
    // whichever a part ends on, its last four matches hold a parsed LOG line.
    expect(rotated.lines.map((l) => l.message)).toContainEqual(expect.stringMatching(/^filler \d+ x+$/));
  });

  it('pages through a 1 GB log lazily, back to its first line, and finds a line near its start', async () => {
    const file = path.join(home, 'logs', 'big.log');
    const block = Buffer.from(
      Array.from({ length: 40_000 }, (_, i) =>
        JSON.stringify({
          level: i % 500 ? 'info' : 'error',
          ts: '2026-11-30T10:00:00.000Z',
          msg: `request ${i} served`,
          caller: 'x.go:1',
        }),
      ).join('\n') + '\n',
    );
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, '{"level":"warn","ts":"2026-11-30T09:00:00.000Z","msg":"the very first line"}\n');
    for (let written = 0; written < 1024 ** 3; written += block.length) fs.writeSync(fd, block);
    fs.closeSync(fd);
    try {
      const last = await reader.router.invoke('logs.read', { name: 'big', limit: 200 });
      expect(last.lines).toHaveLength(200);
      expect(last.scannedBytes).toBeLessThan(1024 * 1024);
      expect(last.lines.at(-1)?.message).toBe('request 39999 served');
      const above = await reader.router.invoke('logs.read', { name: 'big', limit: 200, before: last.start });
      expect(above.lines.at(-1)?.offset).toBeLessThan(last.lines[0]!.offset);
      const errors = await reader.router.invoke('logs.read', { name: 'big', limit: 10, levels: ['error'] });
      expect(errors.lines.every((l) => l.level === 'error')).toBe(true);
      const first = await reader.router.invoke('logs.read', {
        name: 'big',
        limit: 5,
        text: 'very first',
        maxScanMb: 4096,
      });
      expect(first.lines.map((l) => l.message)).toEqual(['the very first line']);
      expect(first.atStart).toBe(true);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
