// Builds every part: the Node bundles (CLI, Electron shell, preload, worker) with esbuild, the renderer with Vite.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(root, 'dist');
const only = process.argv.slice(2);
// `bench` (the benchmarks' entry into the back end) is built only when asked for: it never ships.
const want = (part) => (only.length === 0 ? part !== 'bench' : only.includes(part));

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
};
const esmShim = "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";

const jobs = [];
if (want('main')) {
  jobs.push(
    esbuild.build({
      ...node,
      entryPoints: {
        cli: 'main/cli.ts',
        desktop: 'main/electron/launch.ts',
      },
      outdir: dist,
      format: 'esm',
      outExtension: { '.js': '.mjs' },
      banner: { js: `#!/usr/bin/env node\n${esmShim}` },
    }),
    esbuild.build({
      ...node,
      entryPoints: { main: 'main/electron/main.ts' },
      outdir: path.join(dist, 'electron'),
      format: 'cjs',
      outExtension: { '.js': '.cjs' },
    }),
    // The backup data thread: a worker thread's file of its own (main/backup/data-thread-protocol.ts starts it).
    esbuild.build({
      ...node,
      entryPoints: { 'data-thread': 'main/backup/data-thread.ts' },
      outdir: path.join(dist, 'backup'),
      format: 'esm',
      outExtension: { '.js': '.mjs' },
      banner: { js: esmShim },
    }),
    // The preload runs sandboxed: bundle everything, only electron stays external.
    esbuild.build({
      ...node,
      packages: undefined,
      external: ['electron'],
      entryPoints: { index: 'preload/index.ts' },
      outdir: path.join(dist, 'preload'),
      format: 'cjs',
      outExtension: { '.js': '.cjs' },
    }),
  );
}
if (want('bench')) {
  jobs.push(
    esbuild.build({
      ...node,
      entryPoints: { 'back-end': 'bench/back-end.ts' },
      outdir: path.join(root, 'dist-bench'),
      format: 'esm',
      outExtension: { '.js': '.mjs' },
      banner: { js: esmShim },
    }),
  );
}
if (want('worker') && fs.existsSync(path.join(root, 'worker', 'index.ts'))) {
  const { buildWorker } = await import('./worker/build.mjs');
  jobs.push(buildWorker({ root, dist, esbuild, node, esmShim }));
}
await Promise.all(jobs);
// The app DB migrations ship next to the bundles (node-pg-migrate reads them from disk).
if (want('main'))
  fs.cpSync(path.join(root, 'main', 'db', 'migrations'), path.join(dist, 'migrations'), { recursive: true });
if (fs.existsSync(path.join(dist, 'cli.mjs'))) fs.chmodSync(path.join(dist, 'cli.mjs'), 0o755);

if (want('renderer')) {
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
}
