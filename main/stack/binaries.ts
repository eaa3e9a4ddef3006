// Where the stack's binaries are found: settings first, then what the app ships (or the project's provisioned
// folder from source), then the usual places for this OS, then PATH.
import fs from 'node:fs';
import path from 'node:path';
import { OpsError } from '../api';
import type { Settings } from '../api';
import { shippedResources } from '../resources';
import { postgresInstallHint, postgresSearchDirs, programName } from './postgres-install';

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
  const file = programName(name);
  for (const dir of dirs) if (executable(path.join(dir, file))) return path.join(dir, file);
  return onPath(file);
}

function missing(what: string, configured: string, hint?: string, details?: unknown): OpsError {
  const shipped = shippedResources();
  return new OpsError(
    'BINARY_MISSING',
    configured
      ? `${what} was not found at ${configured} (set in Settings → Stack → binaries).`
      : `${what} was not found in the settings, in ${shipped.binDir}, or on PATH.`,
    hint ??
      (shipped.layout.packaged
        ? 'This package does not ship it for this platform: point Settings → Stack → binaries at it, or use the Docker provider.'
        : 'Run `npm run setup` (bash resources/provision.sh) to install it, or point Settings → Stack at it.'),
    details,
  );
}

/**
 * A program the console uses when it is there and does without otherwise: looked for where the app ships its
 * programs, then on PATH.
 */
export function optionalProgram(name: string): string | undefined {
  return find(name, '', [shippedResources().binDir]);
}

export function resolveBinaries(settings: Settings, options: { ui?: boolean } = {}): StackBinaries {
  const b = settings.stack.binaries;
  const shipped = shippedResources();
  const pgDirs = b.postgresBinDir ? [b.postgresBinDir] : postgresSearchDirs();
  const pg = (name: string) => {
    const configured = b.postgresBinDir ? path.join(b.postgresBinDir, programName(name)) : '';
    const found = find(name, configured, pgDirs);
    // The onboarding offers the Docker provider when PostgreSQL is missing (details.offer).
    if (!found)
      throw missing(`PostgreSQL's ${name}`, configured, postgresInstallHint(), {
        missing: 'postgresql',
        offer: 'docker',
      });
    return found;
  };
  const temporalServer = find('temporal-server', b.temporalServer, [shipped.binDir]);
  if (!temporalServer) throw missing('The Temporal server (temporal-server)', b.temporalServer);
  const temporalSqlTool = find('temporal-sql-tool', b.temporalSqlTool, [shipped.binDir]);
  if (!temporalSqlTool) throw missing('temporal-sql-tool', b.temporalSqlTool);
  const temporalUiServer = find('temporal-ui-server', b.temporalUiServer, [shipped.binDir]);
  if (options.ui && !temporalUiServer)
    throw missing('The Temporal Web UI server (temporal-ui-server)', b.temporalUiServer);
  const schemaDir = [path.join(path.dirname(temporalSqlTool), '..', 'schema'), shipped.schemaDir].find((d) =>
    fs.existsSync(path.join(d, 'postgresql', 'v12', 'temporal', 'versioned')),
  );
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
