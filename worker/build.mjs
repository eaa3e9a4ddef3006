// Builds the worker: its process entry with esbuild, and the workflow code pre-bundled (no webpack at start-up).
import fs from 'node:fs';
import path from 'node:path';

function newestMtime(dirs) {
  let newest = 0;
  for (const dir of dirs) {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue;
      newest = Math.max(newest, fs.statSync(path.join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
    }
  }
  return newest;
}

export async function buildWorker({ root, dist, esbuild, node, esmShim }) {
  const out = path.join(dist, 'worker');
  fs.mkdirSync(out, { recursive: true });
  const entry = esbuild.build({
    ...node,
    entryPoints: { index: path.join(root, 'worker', 'index.ts') },
    outdir: out,
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    banner: { js: esmShim },
  });
  const bundlePath = path.join(out, 'workflow-bundle.js');
  const sources = [
    path.join(root, 'worker'),
    path.join(root, 'shared'),
    path.join(root, 'main', 'api', 'contract'),
  ];
  const fresh = fs.existsSync(bundlePath) && fs.statSync(bundlePath).mtimeMs > newestMtime(sources);
  if (!fresh) {
    const { bundleWorkflowCode } = await import('@temporalio/worker');
    const { code } = await bundleWorkflowCode({
      workflowsPath: path.join(root, 'worker', 'workflows', 'index.ts'),
      logger: { info() {}, debug() {}, trace() {}, warn: console.warn, error: console.error, log() {} },
    });
    fs.writeFileSync(bundlePath, code);
  }
  await entry;
}
