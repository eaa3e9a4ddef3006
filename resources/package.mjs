// `npm run package`: packages the desktop app for this machine with electron-builder, into release/ (a `dir`
// build and an archive). Electron's own binary cannot be downloaded everywhere: ELECTRON_DIST=<folder holding an
// unpacked Electron> is used as electron-builder's electronDist, else node_modules/electron's binary when
// installed; with neither it says so and stops. It refuses to package a platform whose stack binaries it lacks.
// Options: --dir (only the dir build), --all-targets (also the targets that download tools at build time),
// --output <folder> (instead of release/).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

function stop(message) {
  process.stderr.write(`package: ${message}\n`);
  process.exit(2);
}

const os = { linux: 'linux', darwin: 'mac', win32: 'win' }[process.platform];
if (!os) stop(`packaging on ${process.platform} is not supported (Linux, macOS and Windows are).`);
const arch = process.arch;
const exe = (name) => (os === 'win' ? `${name}.exe` : name);

// Targets that need no download at build time: the folder itself and a plain archive.
const OFFLINE_TARGETS = { linux: ['dir', 'tar.gz'], mac: ['dir', 'zip'], win: ['dir', 'zip'] };

/** electron-builder compresses archives with 7-Zip, which it downloads unless one is installed. */
function sevenZip() {
  if (process.env.ELECTRON_BUILDER_7ZIP_PATH) return process.env.ELECTRON_BUILDER_7ZIP_PATH;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter))
    for (const name of ['7za', '7zz', '7z'].map(exe))
      if (dir && fs.existsSync(path.join(dir, name))) return path.join(dir, name);
  return undefined;
}

function electronBinaryIn(dir) {
  const file = { linux: 'electron', mac: 'Electron.app', win: 'electron.exe' }[os];
  return fs.existsSync(path.join(dir, file)) ? path.join(dir, file) : undefined;
}

function electronDist() {
  const fromEnv = process.env.ELECTRON_DIST;
  if (fromEnv) {
    const dir = path.resolve(fromEnv);
    if (!electronBinaryIn(dir))
      stop(`ELECTRON_DIST=${dir} holds no Electron binary (${os === 'win' ? 'electron.exe' : 'electron'}).`);
    return dir;
  }
  const installed = path.join(path.dirname(require.resolve('electron/package.json')), 'dist');
  if (electronBinaryIn(installed)) return installed;
  stop(
    "Electron's binary is not installed on this machine (npm install skipped its download), and ELECTRON_DIST is not set.\n" +
      '  Set ELECTRON_DIST to a folder holding an unpacked Electron of the same version, or run npm install\n' +
      '  without ELECTRON_SKIP_BINARY_DOWNLOAD on a machine that can download it, then npm run package again.',
  );
}

/** The stack binaries this platform's package ships, and where they come from. */
function binariesFolder() {
  return os === 'linux'
    ? path.join(root, '.ops', 'bin')
    : path.join(root, '.ops', 'platforms', `${os}-${arch}`, 'bin');
}

function missingResources() {
  const bin = binariesFolder();
  const missing = ['temporal-server', 'temporal-sql-tool', 'temporal-ui-server']
    .map((name) => path.join(bin, exe(name)))
    .filter((file) => !fs.existsSync(file));
  for (const kind of ['temporal', 'visibility']) {
    const dir = path.join(root, '.ops', 'schema', 'postgresql', 'v12', kind, 'versioned');
    if (!fs.existsSync(dir)) missing.push(dir);
  }
  return missing;
}

let missing = missingResources();
if (missing.length && os === 'linux' && process.env.OPS_PACKAGE_NO_PROVISION !== '1') {
  process.stdout.write('package: building the missing Linux binaries (resources/provision.sh --with-ui)\n');
  const run = spawnSync('bash', [path.join(root, 'resources', 'provision.sh'), '--with-ui'], {
    stdio: 'inherit',
  });
  if (run.status !== 0) stop('provisioning the Linux binaries failed (see above).');
  missing = missingResources();
}
if (missing.length) {
  stop(
    `cannot package for ${os}-${arch}: these files are missing:\n` +
      missing.map((file) => `  ${path.relative(root, file)}`).join('\n') +
      (os === 'linux'
        ? '\n  Run bash resources/provision.sh --with-ui.'
        : `\n  Build them for ${os} (GOOS=${os === 'mac' ? 'darwin' : 'windows'} GOARCH=${arch === 'x64' ? 'amd64' : arch} go install …, see resources/provision.sh) into ${path.relative(root, binariesFolder())}.`),
  );
}
for (const built of [
  'dist/electron/main.cjs',
  'dist/worker/index.mjs',
  'dist/backup/data-thread.mjs',
  'dist/renderer/index.html',
])
  if (!fs.existsSync(path.join(root, built))) stop(`${built} is missing: run node build.mjs first.`);

const config = YAML.parse(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8'));
const dist = electronDist();
config.electronDist = dist;
config.electronVersion = require('electron/package.json').version;
const output = option('--output');
if (output) config.directories = { ...config.directories, output: path.resolve(output) };
const targets = args.includes('--dir')
  ? ['dir']
  : args.includes('--all-targets')
    ? ['dir', ...config[os].target]
    : OFFLINE_TARGETS[os];

// Without 7-Zip, the plain archive is made from the dir build with the system's tar (no download either).
const archive = OFFLINE_TARGETS[os][1];
const selfArchive = targets.includes(archive) && !sevenZip();
const builderTargets = selfArchive ? targets.filter((t) => t !== archive) : targets;
if (!selfArchive && sevenZip()) process.env.ELECTRON_BUILDER_7ZIP_PATH = sevenZip();

const { Arch, build, Platform } = await import('electron-builder');
const platform = { linux: Platform.LINUX, mac: Platform.MAC, win: Platform.WINDOWS }[os];
process.stdout.write(`package: ${os}-${arch} ${targets.join(', ')} with Electron from ${dist}\n`);
const artifacts = await build({
  projectDir: root,
  targets: platform.createTarget(builderTargets, Arch[arch]),
  config,
  publish: 'never',
});
const outDir = path.resolve(root, config.directories.output);
if (selfArchive) {
  const unpacked = {
    linux: 'linux-unpacked',
    mac: `mac${arch === 'arm64' ? '-arm64' : ''}`,
    win: 'win-unpacked',
  }[os];
  const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
  const file = path.join(outDir, `${config.executableName}-${version}-${os}-${arch}.${archive}`);
  const flags = archive === 'zip' ? ['-a', '-cf'] : ['-czf'];
  const run = spawnSync('tar', [...flags, file, '-C', outDir, unpacked], { stdio: 'inherit' });
  if (run.status !== 0) stop(`archiving ${unpacked} with tar failed (see above).`);
  artifacts.push(file);
}
process.stdout.write(`package: done in ${path.relative(process.cwd(), outDir) || outDir}\n`);
for (const file of artifacts) process.stdout.write(`  ${path.relative(outDir, file)}\n`);
