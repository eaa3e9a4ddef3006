import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The console's data folder: OPS_CONSOLE_HOME, else the XDG data folder. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OPS_CONSOLE_HOME) return path.resolve(env.OPS_CONSOLE_HOME);
  const base = env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'ops-console');
}

function findPackageRoot(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if (JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'ops-console') return dir;
      } catch {
        // not ours; keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

let cachedRoot: string | undefined;

/** The project's folder: where dist/ and the provisioned .ops/ live. */
export function projectRoot(): string {
  if (process.env.OPS_PROJECT_ROOT) return path.resolve(process.env.OPS_PROJECT_ROOT);
  cachedRoot ??=
    (process.argv[1] && findPackageRoot(path.dirname(process.argv[1]))) ||
    findPackageRoot(process.cwd()) ||
    process.cwd();
  return cachedRoot;
}
