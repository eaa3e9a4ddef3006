// Where the stack's binaries are found: settings first, then the project's provisioned folder, then PATH.
import fs from 'node:fs';
import path from 'node:path';
import { OpsError } from '../api/errors';
import type { Settings } from '../api/contract';
import { projectRoot } from '../settings';

export interface StackBinaries {
  initdb: string;
  pgCtl: string;
  postgres: string;
  pgDump: string;
  pgRestore: string;
  psql: string;
  temporalServer: string;
  temporalSqlTool: string;
  temporalUiServer?: string;
  /** Temporal's versioned schema folders (postgresql/v12/{temporal,visibility}/versioned). */
  schemaDir: string;
}

const POSTGRES_DIRS = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/local/pgsql/bin'];

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && executable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

function find(name: string, configured: string, dirs: string[]): string | undefined {
  if (configured) return executable(configured) ? configured : undefined;
  for (const dir of dirs) if (executable(path.join(dir, name))) return path.join(dir, name);
  return onPath(name);
}

function missing(what: string, configured: string): OpsError {
  return new OpsError(
    'BINARY_MISSING',
    configured
      ? `${what} was not found at ${configured} (set in Settings → Stack → binaries).`
      : `${what} was not found in the settings, in ${path.join(projectRoot(), '.ops', 'bin')}, or on PATH.`,
    'Run `npm run setup` (bash resources/provision.sh) to install it, or point Settings → Stack at it.',
  );
}

export function resolveBinaries(settings: Settings, options: { ui?: boolean } = {}): StackBinaries {
  const b = settings.stack.binaries;
  const opsDir = path.join(projectRoot(), '.ops');
  const pgDirs = b.postgresBinDir ? [b.postgresBinDir] : POSTGRES_DIRS;
  const pg = (name: string) => {
    const found = find(name, b.postgresBinDir ? path.join(b.postgresBinDir, name) : '', pgDirs);
    if (!found)
      throw missing(`PostgreSQL's ${name}`, b.postgresBinDir ? path.join(b.postgresBinDir, name) : '');
    return found;
  };
  const temporalServer = find('temporal-server', b.temporalServer, [path.join(opsDir, 'bin')]);
  if (!temporalServer) throw missing('The Temporal server (temporal-server)', b.temporalServer);
  const temporalSqlTool = find('temporal-sql-tool', b.temporalSqlTool, [path.join(opsDir, 'bin')]);
  if (!temporalSqlTool) throw missing('temporal-sql-tool', b.temporalSqlTool);
  const temporalUiServer = find('temporal-ui-server', b.temporalUiServer, [path.join(opsDir, 'bin')]);
  if (options.ui && !temporalUiServer)
    throw missing('The Temporal Web UI server (temporal-ui-server)', b.temporalUiServer);
  const schemaDir = [
    path.join(path.dirname(temporalSqlTool), '..', 'schema'),
    path.join(opsDir, 'schema'),
  ].find((d) => fs.existsSync(path.join(d, 'postgresql', 'v12', 'temporal', 'versioned')));
  if (!schemaDir) throw missing("Temporal's schema files (schema/postgresql/v12)", '');
  return {
    initdb: pg('initdb'),
    pgCtl: pg('pg_ctl'),
    postgres: pg('postgres'),
    pgDump: pg('pg_dump'),
    pgRestore: pg('pg_restore'),
    psql: pg('psql'),
    temporalServer,
    temporalSqlTool,
    temporalUiServer,
    schemaDir: path.resolve(schemaDir),
  };
}
