// npm run bench:logs — the log viewer's API on a 1 GB Temporal log: the first page of lines (what opening the
// viewer costs) against `tail -n 200`, and a search through the whole file against `grep -c`, on the same file
// in the same run. Prints BENCH lines.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createConsole } from '../dist-bench/back-end.mjs';
import { median } from './support.mjs';

const BYTES = Number(process.env.BENCH_LOG_BYTES ?? 1024 ** 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const RARE = 'shard 31337 lost its lease';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-logs-'));
fs.mkdirSync(path.join(home, 'logs'));
const file = path.join(home, 'logs', 'temporal.log');

function generate() {
  const levels = ['info', 'info', 'info', 'debug', 'warn', 'error'];
  const block = Buffer.from(
    Array.from({ length: 20_000 }, (_, i) =>
      JSON.stringify({
        level: levels[i % levels.length],
        ts: new Date(Date.UTC(2026, 10, 30, 10, 0, 0, i)).toISOString(),
        msg: `poll for task queue activity ${i}`,
        service: 'matching',
        'wf-namespace': 'default',
        logging_call_at: 'matching_engine.go:512',
      }),
    ).join('\n') + '\n',
  );
  const fd = fs.openSync(file, 'w');
  let written = 0;
  let blocks = 0;
  while (written < BYTES) {
    // Three rare lines spread through the file: the search has to read all of it to find them.
    if (blocks % 20 === 7)
      written += fs.writeSync(fd, `{"level":"error","ts":"2026-11-30T10:00:00Z","msg":"${RARE}"}\n`);
    written += fs.writeSync(fd, block);
    blocks++;
  }
  fs.closeSync(fd);
  return fs.statSync(file).size;
}

function timed(work) {
  const t0 = performance.now();
  const result = work();
  return { ms: performance.now() - t0, result };
}

async function timedAsync(work) {
  const t0 = performance.now();
  const result = await work();
  return { ms: performance.now() - t0, result };
}

const size = generate();
spawnSync('cat', [file], { stdio: ['ignore', 'ignore', 'ignore'] }); // the same warm page cache for both sides
const ops = createConsole({ mode: 'cli', dataDir: home, env: {} });
try {
  const first = [];
  const tail = [];
  const search = [];
  const grep = [];
  let found = 0;
  let grepCount = 0;
  for (let round = 0; round < ROUNDS; round++) {
    first.push((await timedAsync(() => ops.router.invoke('logs.read', { name: 'temporal', limit: 200 }))).ms);
    tail.push(
      timed(() => spawnSync('tail', ['-n', '200', file], { stdio: ['ignore', 'ignore', 'ignore'] })).ms,
    );
    const s = await timedAsync(() =>
      ops.router.invoke('logs.read', { name: 'temporal', text: RARE, limit: 1000, maxScanMb: 4096 }),
    );
    search.push(s.ms);
    found = s.result.lines.length;
    const g = timed(() => spawnSync('grep', ['-c', '-F', RARE, file], { encoding: 'utf8' }));
    grep.push(g.ms);
    grepCount = Number(g.result.stdout.trim());
  }
  if (found !== grepCount) throw new Error(`the search found ${found} lines, grep -c ${grepCount}`);
  console.log(`BENCH logs_file_mb ${(size / 1024 ** 2).toFixed(0)} MB`);
  console.log(`BENCH logs_first_lines_ms ${median(first).toFixed(1)} ms`);
  console.log(`BENCH logs_first_lines_tail_n_200_ms ${median(tail).toFixed(1)} ms`);
  console.log(`BENCH logs_first_lines_ratio_vs_tail ${(median(first) / median(tail)).toFixed(2)} x`);
  console.log(`BENCH logs_search_1gb_ms ${median(search).toFixed(0)} ms`);
  console.log(`BENCH logs_search_grep_c_ms ${median(grep).toFixed(0)} ms`);
  console.log(`BENCH logs_search_ratio_vs_grep_c ${(median(search) / median(grep)).toFixed(2)} x`);
  console.log(`BENCH logs_search_matches ${found} lines`);
} finally {
  await ops.shutdown();
  fs.rmSync(home, { recursive: true, force: true });
}
