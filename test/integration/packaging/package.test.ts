// `npm run package` end to end: electron-builder packs the dir target, then the PACKAGED back end runs in plain
// Node against the packed resources: it finds every resource, starts the embedded stack from the packaged
// binaries and runs one cycle with the packaged worker.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as asar from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchHome } from '../../support/console-process';
import { freeStackSettings } from '../../support/stack-settings';
import { waitFor } from '../../support/cycle-stack';

const exec = promisify(execFile);
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-package-test-'));
const output = path.join(scratch, 'release');
const resources = path.join(output, 'linux-unpacked', 'resources');
let packaging: { status: number | null; out: string };
let up: ChildProcess | undefined;

/**
 * A MOCK, named as such: the Electron binary cannot be had on this machine, so ELECTRON_DIST points at a folder
 * holding an executable placeholder called `electron`. electron-builder copies it as the app's executable; the
 * test never runs it (the back end runs in plain Node below).
 */
function electronStandIn(): string {
  const dir = path.join(scratch, 'electron-stand-in');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'electron'),
    '#!/bin/sh\necho "placeholder for the Electron binary (not available on this machine)" >&2\nexit 3\n',
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(dir, 'version'), 'stand-in');
  return dir;
}

/**
 * What Electron shows the app: app.asar read as a folder, whose unpacked files live in app.asar.unpacked. Plain
 * Node cannot read the archive, so its packed files are extracted into a folder called app.asar beside links to
 * everything else, and node_modules (all unpacked) is linked where Electron redirects it.
 */
function electronView(): string {
  const view = path.join(scratch, 'view', 'resources');
  const archive = path.join(resources, 'app.asar');
  for (const entry of ['app.asar.unpacked', 'bin', 'schema', 'icons'])
    fs.symlinkSync(path.join(resources, entry), path.join(view, entry), 'dir');
  for (const file of asar.listPackage(archive, { isPack: false })) {
    const rel = file.replace(/^[/\\]/, '');
    if (rel.startsWith('node_modules')) continue;
    const stat = asar.statFile(archive, rel) as { files?: unknown; unpacked?: boolean };
    if (stat.files || stat.unpacked) continue;
    fs.mkdirSync(path.dirname(path.join(view, 'app.asar', rel)), { recursive: true });
    fs.writeFileSync(path.join(view, 'app.asar', rel), asar.extractFile(archive, rel));
  }
  fs.symlinkSync(
    path.join(resources, 'app.asar.unpacked', 'node_modules'),
    path.join(view, 'app.asar', 'node_modules'),
  );
  return view;
}

/** electron-builder hard-links files instead of copying them when it sees VITEST, and then races itself. */
function packagingEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.VITEST;
  return env;
}

beforeAll(() => {
  const run = spawnSync(process.execPath, ['resources/package.mjs', '--dir', '--output', output], {
    env: { ...packagingEnv(), ELECTRON_DIST: electronStandIn(), OPS_PACKAGE_NO_PROVISION: '1' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  packaging = { status: run.status, out: `${run.stdout}\n${run.stderr}` };
  fs.mkdirSync(path.join(scratch, 'view', 'resources'), { recursive: true });
}, 600_000);

afterAll(async () => {
  if (up && up.exitCode === null) {
    up.kill('SIGTERM');
    await waitFor(() => up!.exitCode !== null, 60_000, 'the packaged console to stop');
  }
  fs.rmSync(scratch, { recursive: true, force: true });
}, 90_000);

describe('npm run package', () => {
  it('packs the dir target: main, preload and renderer in app.asar; the worker, the backup data thread, migrations, binaries, schema and icons on disk', () => {
    expect(packaging.status, packaging.out).toBe(0);
    const packed = asar.listPackage(path.join(resources, 'app.asar'), { isPack: false });
    for (const file of ['/dist/electron/main.cjs', '/dist/preload/index.cjs', '/dist/renderer/index.html'])
      expect(packed).toContain(file);
    const unpacked = path.join(resources, 'app.asar.unpacked');
    for (const file of [
      'dist/worker/index.mjs',
      'dist/worker/workflow-bundle.js',
      'dist/backup/data-thread.mjs',
      'dist/migrations/0001_initial.sql',
    ])
      expect(fs.existsSync(path.join(unpacked, file)), file).toBe(true);
    expect(fs.existsSync(path.join(unpacked, 'node_modules', '@temporalio', 'worker'))).toBe(true);
    // The renderer's libraries live in Vite's bundle only.
    expect(fs.existsSync(path.join(unpacked, 'node_modules', 'react'))).toBe(false);
    expect(fs.existsSync(path.join(unpacked, 'node_modules', '@mui'))).toBe(false);
    for (const bin of ['temporal-server', 'temporal-sql-tool', 'temporal-ui-server'])
      expect(fs.statSync(path.join(resources, 'bin', bin)).mode & 0o111, bin).not.toBe(0);
    for (const kind of ['temporal', 'visibility'])
      expect(fs.existsSync(path.join(resources, 'schema', 'postgresql', 'v12', kind, 'versioned'))).toBe(
        true,
      );
    expect(fs.existsSync(path.join(resources, 'icons', '256x256.png'))).toBe(true);
    // The app's executable is the stand-in, renamed by electron-builder.
    expect(fs.readFileSync(path.join(output, 'linux-unpacked', 'ops-console'), 'utf8')).toContain(
      'placeholder',
    );
  });

  it('says plainly that Electron is missing when neither ELECTRON_DIST nor its binary is there, and packs nothing', () => {
    const run = spawnSync(
      process.execPath,
      ['resources/package.mjs', '--dir', '--output', path.join(scratch, 'none')],
      {
        env: { ...process.env, ELECTRON_DIST: '' },
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/Electron's binary is not installed.*ELECTRON_DIST is not set/s);
    expect(fs.existsSync(path.join(scratch, 'none'))).toBe(false);
  });

  it('runs the packaged back end in Node: finds every resource, starts the stack from the packaged binaries and runs a cycle', async () => {
    expect(packaging.status, packaging.out).toBe(0);
    const view = electronView();
    const home = scratchHome(await freeStackSettings());
    const env = { ...process.env, OPS_RESOURCES_PATH: view, OPS_CONSOLE_HOME: home };
    const cliFile = path.join(view, 'app.asar', 'dist', 'cli.mjs');
    const cli = (...args: string[]) =>
      exec(process.execPath, [cliFile, '--home', home, ...args], { env }).then((r) => r.stdout);

    const info = JSON.parse(await cli('info')) as { resources: { packaged: boolean; dir: string } };
    expect(info.resources).toEqual({ packaged: true, dir: view });

    up = spawn(process.execPath, [cliFile, '--home', home, 'up', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    let out = '';
    up.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    up.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(
      () => /embedded stack is running|did not start/.test(out) || up!.exitCode !== null,
      180_000,
      'the stack',
    );
    expect(out).toContain('The embedded stack is running.');

    // The Temporal server runs from the package's bin folder.
    const status = JSON.parse(await cli('stack', 'status', '--json')) as {
      services: Array<{ id: string; pid?: number }>;
    };
    const temporal = status.services.find((s) => s.id === 'temporal');
    expect(fs.realpathSync(`/proc/${temporal!.pid}/exe`)).toBe(
      path.join(resources, 'bin', 'temporal-server'),
    );
    expect(JSON.parse(await cli('demo-data', '--reports', '1'))).toMatchObject({ reportIds: [1] });
    const { workflowId } = JSON.parse(
      await cli('cycle', 'start', '--cycle', '1', '--reports', '1', '--auto-approve'),
    ) as { workflowId: string };
    let progress = { status: '' };
    await waitFor(
      async () => {
        progress = JSON.parse(await cli('cycle', 'progress', workflowId, '--json')) as typeof progress;
        return progress.status === 'completed' || progress.status === 'failed';
      },
      120_000,
      'the cycle to complete',
    );
    expect(progress.status).toBe('completed');
    const workerPids = spawnSync(
      'pgrep',
      ['-f', path.join(view, 'app.asar.unpacked', 'dist', 'worker', 'index.mjs')],
      {
        encoding: 'utf8',
      },
    ).stdout.trim();
    expect(workerPids, out).not.toBe('');
  }, 420_000);
});
