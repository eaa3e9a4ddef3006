// Where a running console listens for the CLI: a Unix socket in its data folder (0600, in a 0700 folder), or a
// named pipe on Windows. Unix socket paths are limited to about 100 bytes: a deep data folder gets a private
// folder under the temp folder instead.
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

const MAX_UNIX_PATH = 100;

export function controlSocketPath(dataDir: string, platform: NodeJS.Platform = process.platform): string {
  const id = crypto.createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
  if (platform === 'win32') return `\\\\.\\pipe\\ops-console-${id}`;
  const inHome = path.join(dataDir, 'console.sock');
  if (Buffer.byteLength(inHome) <= MAX_UNIX_PATH) return inHome;
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return path.join(os.tmpdir(), `ops-console-${uid}`, `${id}.sock`);
}
