// The last-resort guard in a real Node process: an error thrown from a timer and a promise nobody awaited are
// logged with their stack, and the process keeps running (without the guard, either one ends it).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';

function runScript(withGuard: boolean): Promise<{ code: number | null; out: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-last-resort-'));
  const entry = path.join(dir, 'entry.ts');
  fs.writeFileSync(
    entry,
    `import { installLastResortGuard } from ${JSON.stringify(path.resolve('main/last-resort.ts'))};
     ${withGuard ? "installLastResortGuard((m) => process.stdout.write('LOGGED ' + m.split('\\n')[0] + '\\n'));" : ''}
     setTimeout(() => { throw new Error('thrown from a timer'); }, 10);
     setTimeout(() => { void Promise.reject(new Error('rejected, never awaited')); }, 20);
     setTimeout(() => { process.stdout.write('STILL RUNNING\\n'); process.exit(0); }, 200);`,
  );
  const out = path.join(dir, 'entry.cjs');
  esbuild.buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: out,
    logLevel: 'silent',
  });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    child.on('close', (code) => {
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ code, out: text });
    });
  });
}

describe('last-resort guard', () => {
  it('logs an escaped error and an unawaited rejection, and the process keeps running', async () => {
    const guarded = await runScript(true);
    expect(guarded.out).toContain(
      'LOGGED unexpected error, the console keeps running: Error: thrown from a timer',
    );
    expect(guarded.out).toContain(
      'LOGGED unexpected unhandled rejection, the console keeps running: Error: rejected',
    );
    expect(guarded.out).toContain('STILL RUNNING');
    expect(guarded.code).toBe(0);
  });

  it('is what keeps it alive: without it the same script dies', async () => {
    const bare = await runScript(false);
    expect(bare.out).not.toContain('STILL RUNNING');
    expect(bare.code).not.toBe(0);
  });
});
