// `npm run desktop`: starts Electron on the built shell, or explains what to do when its binary is absent.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function electronBinary(): string | undefined {
  try {
    const resolved = createRequire(path.join(root, 'package.json'))('electron') as unknown;
    return typeof resolved === 'string' && fs.existsSync(resolved) ? resolved : undefined;
  } catch {
    return undefined;
  }
}

const binary = electronBinary();
if (!binary) {
  process.stderr.write(
    'The Electron binary is not installed on this machine, so the desktop app cannot open here.\n' +
      'Run the same console in browser mode instead:  npm run serve   (or: npm start, with the embedded stack)\n' +
      'On a machine with Electron: npm install (without ELECTRON_SKIP_BINARY_DOWNLOAD), then npm run desktop.\n',
  );
  process.exit(3);
}
const child = spawn(binary, [path.join(root, 'dist', 'electron', 'main.cjs')], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
