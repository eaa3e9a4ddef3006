// A private Docker engine for tests (its own socket, data and exec roots) and the test images built offline:
// a debootstrapped Debian base, PostgreSQL 15 from apt, and the provisioned Temporal server.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';

const exec = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CACHE = path.join(ROOT, '.ops', 'docker-cache');
const BASE_TAR = path.join(CACHE, 'base-bookworm.tar');
export const BASE_IMAGE = 'ops-test/base:bookworm';
export const POSTGRES_IMAGE = 'ops-test/postgres:15';
export const TEMPORAL_IMAGE = 'ops-test/temporal:1.29.1';
const PROVISION_HINT = 'run `bash resources/provision.sh --with-docker` (installs docker.io and debootstrap)';

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** dockerd's path; throws (so the test fails, never skips) when it is not installed. */
export function findDockerd(): string {
  const found = ['/usr/bin/dockerd', '/usr/sbin/dockerd'].find((p) => fs.existsSync(p)) ?? onPath('dockerd');
  if (!found)
    throw new Error(`dockerd is not installed, so the Docker provider cannot be tested: ${PROVISION_HINT}.`);
  return found;
}

export interface TestEngine {
  socketPath: string;
  docker: Docker;
  /** Runs the docker CLI against this engine. */
  cli(args: string[], options?: { cwd?: string }): Promise<string>;
  stop(): Promise<void>;
}

async function waitForPing(docker: Docker, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `dockerd exited (code ${child.exitCode}): ${fs.readFileSync(logFile, 'utf8').slice(-2_000)}`,
      );
    }
    try {
      await docker.ping();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`dockerd did not answer within 60 s; see ${logFile}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Starts a private dockerd (no bridge, no iptables: tests use host networking on 127.0.0.1 only). */
export async function startTestEngine(): Promise<TestEngine> {
  const dockerd = findDockerd();
  const cliPath = onPath('docker');
  if (!cliPath) throw new Error(`the docker CLI is not installed: ${PROVISION_HINT}.`);
  // A short folder: a unix socket's path must stay under 108 bytes.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsd-'));
  const socketPath = path.join(dir, 'docker.sock');
  const logFile = path.join(dir, 'dockerd.log');
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    dockerd,
    [
      '--bridge=none',
      '--iptables=false',
      '--data-root',
      path.join(dir, 'data'),
      '--exec-root',
      path.join(dir, 'exec'),
      '-H',
      `unix://${socketPath}`,
      '--pidfile',
      path.join(dir, 'pid'),
    ],
    { stdio: ['ignore', out, out] },
  );
  fs.closeSync(out);
  const docker = new Docker({ socketPath });
  try {
    await waitForPing(docker, child, logFile);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const env = { ...process.env, DOCKER_HOST: `unix://${socketPath}`, DOCKER_BUILDKIT: '0' };
  return {
    socketPath,
    docker,
    async cli(args, options = {}) {
      const { stdout } = await exec(cliPath, args, { env, cwd: options.cwd, maxBuffer: 64 * 1024 * 1024 });
      return stdout;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
      await unmountUnder(dir);
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/** dockerd leaves a few mounts behind (its default netns bind mount): undo them, deepest first, before deleting. */
async function unmountUnder(dir: string): Promise<void> {
  const mountPoints = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of mountPoints) await exec('umount', ['-l', point]).catch(() => undefined);
}

/** The Debian root file system as a tarball, made once by debootstrap and kept in .ops/docker-cache. */
async function baseTarball(): Promise<string> {
  if (fs.existsSync(BASE_TAR)) return BASE_TAR;
  if (!fs.existsSync('/usr/sbin/debootstrap') && !onPath('debootstrap')) {
    throw new Error(`debootstrap is not installed: ${PROVISION_HINT}.`);
  }
  fs.mkdirSync(CACHE, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-debootstrap-'));
  try {
    const rootfs = path.join(work, 'root');
    await exec('debootstrap', ['--variant=minbase', 'bookworm', rootfs], { maxBuffer: 64 * 1024 * 1024 });
    await exec('tar', ['-C', rootfs, '-cf', `${BASE_TAR}.partial`, '.']);
    fs.renameSync(`${BASE_TAR}.partial`, BASE_TAR);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return BASE_TAR;
}

const TEMPORAL_PARTS = {
  server: path.join(ROOT, '.ops', 'bin', 'temporal-server'),
  sqlTool: path.join(ROOT, '.ops', 'bin', 'temporal-sql-tool'),
  schema: path.join(ROOT, '.ops', 'schema'),
};

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** Changes whenever a Dockerfile, an entrypoint or a provisioned binary changes: the key of the image cache. */
function imagesKey(): string {
  // The format number changes when what the cache holds changes.
  const hash = crypto.createHash('sha256').update('images-v2');
  for (const file of filesUnder(path.join(ROOT, 'resources', 'docker'))) {
    hash.update(path.relative(ROOT, file)).update(fs.readFileSync(file));
  }
  for (const file of [TEMPORAL_PARTS.server, TEMPORAL_PARTS.sqlTool, ...filesUnder(TEMPORAL_PARTS.schema)]) {
    const stat = fs.statSync(file);
    hash.update(`${path.relative(ROOT, file)}:${stat.size}:${stat.mtimeMs}`);
  }
  return hash.digest('hex').slice(0, 16);
}

export interface TestImages {
  postgres: string;
  temporal: string;
  /** How the images got onto the engine, and how long it took. */
  source: 'built' | 'cache';
  seconds: number;
}

/** Builds the test images (nothing is pulled), or loads them from .ops/docker-cache when nothing changed. */
export async function buildTestImages(engine: TestEngine): Promise<TestImages> {
  const started = performance.now();
  for (const [name, file] of Object.entries(TEMPORAL_PARTS)) {
    if (!fs.existsSync(file))
      throw new Error(`${file} (${name}) is missing: run \`bash resources/provision.sh\`.`);
  }
  const cached = path.join(CACHE, `images-${imagesKey()}.tar`);
  const done = (source: TestImages['source']): TestImages => ({
    postgres: POSTGRES_IMAGE,
    temporal: TEMPORAL_IMAGE,
    source,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  });
  if (fs.existsSync(cached)) {
    await engine.cli(['load', '-i', cached]);
    return done('cache');
  }

  await engine.cli(['import', await baseTarball(), BASE_IMAGE]);
  await engine.cli([
    'build',
    '--network',
    'host',
    '-t',
    POSTGRES_IMAGE,
    path.join(ROOT, 'resources', 'docker', 'postgres'),
  ]);
  const context = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-temporal-image-'));
  try {
    for (const file of fs.readdirSync(path.join(ROOT, 'resources', 'docker', 'temporal'))) {
      fs.copyFileSync(path.join(ROOT, 'resources', 'docker', 'temporal', file), path.join(context, file));
    }
    fs.copyFileSync(TEMPORAL_PARTS.server, path.join(context, 'temporal-server'));
    fs.copyFileSync(TEMPORAL_PARTS.sqlTool, path.join(context, 'temporal-sql-tool'));
    fs.cpSync(TEMPORAL_PARTS.schema, path.join(context, 'schema'), { recursive: true });
    await engine.cli(['build', '--network', 'host', '-t', TEMPORAL_IMAGE, context]);
  } finally {
    fs.rmSync(context, { recursive: true, force: true });
  }

  for (const old of fs.readdirSync(CACHE).filter((f) => /^images-.*\.tar$/.test(f))) {
    fs.rmSync(path.join(CACHE, old), { force: true });
  }
  await engine.cli(['save', '-o', `${cached}.partial`, BASE_IMAGE, POSTGRES_IMAGE, TEMPORAL_IMAGE]);
  fs.renameSync(`${cached}.partial`, cached);
  return done('built');
}
