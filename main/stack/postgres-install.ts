// Where PostgreSQL's server programs are looked for on each OS, and what an operator installs when none is found.
import fs from 'node:fs';
import path from 'node:path';

const VERSIONS = ['17', '16', '15', '14'];

/** Folders that may hold initdb/pg_ctl/postgres, most likely first, for this OS. */
export function postgresSearchDirs(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  if (platform === 'darwin') {
    return [
      // Homebrew (Apple silicon, then Intel): versioned kegs are not linked into bin by default.
      ...VERSIONS.flatMap((v) => [
        `/opt/homebrew/opt/postgresql@${v}/bin`,
        `/usr/local/opt/postgresql@${v}/bin`,
      ]),
      '/opt/homebrew/bin',
      '/usr/local/bin',
      // Postgres.app
      '/Applications/Postgres.app/Contents/Versions/latest/bin',
      ...VERSIONS.map((v) => `/Applications/Postgres.app/Contents/Versions/${v}/bin`),
    ];
  }
  if (platform === 'win32') {
    // The EDB installer's default folders.
    const roots = [env.ProgramFiles, env['ProgramFiles(x86)'], 'C:\\Program Files'].filter((r): r is string =>
      Boolean(r),
    );
    return [...new Set(roots)].flatMap((root) =>
      VERSIONS.map((v) => path.win32.join(root, 'PostgreSQL', v, 'bin')),
    );
  }
  // Debian and Ubuntu (postgresql-NN), then a source build.
  return [...VERSIONS.map((v) => `/usr/lib/postgresql/${v}/bin`), '/usr/local/pgsql/bin'];
}

/** The file name of a program on this OS (initdb → initdb.exe on Windows). */
export function programName(name: string, platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? `${name}.exe` : name;
}

/** What to install when PostgreSQL is not found, in the operator's words for their OS. */
export function postgresInstallHint(platform: NodeJS.Platform = process.platform): string {
  const docker = 'Or choose the Docker provider (Settings → Stack), which runs PostgreSQL in containers.';
  if (platform === 'darwin')
    return `Install PostgreSQL with Homebrew (brew install postgresql@16) or Postgres.app (postgresapp.com), then start again. ${docker}`;
  if (platform === 'win32')
    return `Install PostgreSQL with the EDB installer (postgresql.org/download/windows: the server and command line tools), then start again. ${docker}`;
  return `Install PostgreSQL's server: on Debian or Ubuntu, sudo apt-get install postgresql (or postgresql-15). ${docker}`;
}

/** True when initdb can be found in the usual places or on PATH (the onboarding offers Docker otherwise). */
export function postgresFound(
  configuredDir = '',
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  const pathDirs = (env.PATH ?? '').split(platform === 'win32' ? ';' : ':').filter(Boolean);
  const dirs = configuredDir ? [configuredDir] : [...postgresSearchDirs(platform, env), ...pathDirs];
  return dirs.some((dir) => fs.existsSync(path.join(dir, programName('initdb', platform))));
}
