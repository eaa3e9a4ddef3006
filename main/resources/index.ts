// Where every file the console ships is found: inside a packaged app (process.resourcesPath, app.asar and
// app.asar.unpacked) or in the source tree (dist/ and the provisioned .ops/). Everything that reads a shipped
// file asks here, so a packaged app and a checkout find the same things.
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../settings';

export interface ResourceLayout {
  /** True inside a packaged app (Electron's resourcesPath, or OPS_RESOURCES_PATH for a packaged back end run in Node). */
  packaged: boolean;
  /** The folder beside the app archive: resources/ of a package, the project folder from source. */
  resourcesDir: string;
  /** Where the app's own files are read (app.asar in a package: Electron reads it as a folder). */
  appDir: string;
  /** Where files that must be real files on disk live (forked worker, migrations): app.asar.unpacked. */
  unpackedDir: string;
}

/** Electron sets process.resourcesPath; a packaged back end started in plain Node is told by OPS_RESOURCES_PATH. */
export function resourceLayout(env: NodeJS.ProcessEnv = process.env): ResourceLayout {
  const fromEnv = env.OPS_RESOURCES_PATH;
  const electron = (process as { resourcesPath?: string }).resourcesPath;
  const packagedDir = fromEnv || (electron && fs.existsSync(path.join(electron, 'app.asar')) ? electron : '');
  if (packagedDir) {
    const resourcesDir = path.resolve(packagedDir);
    return {
      packaged: true,
      resourcesDir,
      appDir: path.join(resourcesDir, 'app.asar'),
      unpackedDir: path.join(resourcesDir, 'app.asar.unpacked'),
    };
  }
  const root = projectRoot();
  return { packaged: false, resourcesDir: root, appDir: root, unpackedDir: root };
}

/** Every shipped file the console reads, for the layout in force. */
export interface ShippedResources {
  layout: ResourceLayout;
  /** The worker's process entry (forked; unpacked in a package). */
  workerEntry: string;
  /** The backup data thread's bundle (a worker thread's file: unpacked in a package). */
  dataThread: string;
  /** The app DB migrations (node-pg-migrate reads them from disk). */
  migrationsDirs: string[];
  /** The Temporal server, temporal-sql-tool and temporal-ui-server built for this platform. */
  binDir: string;
  /** Temporal's schema files (postgresql/v12/{temporal,visibility}/versioned). */
  schemaDir: string;
  /** The built renderer (index.html and its assets). */
  rendererDir: string;
  /** The Electron preload bundle. */
  preload: string;
  /** The app's icons (PNG sizes and the SVG they come from). */
  iconsDir: string;
}

export function shippedResources(env: NodeJS.ProcessEnv = process.env): ShippedResources {
  const layout = resourceLayout(env);
  const { appDir, unpackedDir, resourcesDir } = layout;
  if (layout.packaged) {
    return {
      layout,
      workerEntry: path.join(unpackedDir, 'dist', 'worker', 'index.mjs'),
      dataThread: path.join(unpackedDir, 'dist', 'backup', 'data-thread.mjs'),
      migrationsDirs: [path.join(unpackedDir, 'dist', 'migrations')],
      binDir: path.join(resourcesDir, 'bin'),
      schemaDir: path.join(resourcesDir, 'schema'),
      rendererDir: path.join(appDir, 'dist', 'renderer'),
      preload: path.join(appDir, 'dist', 'preload', 'index.cjs'),
      iconsDir: path.join(resourcesDir, 'icons'),
    };
  }
  return {
    layout,
    workerEntry: path.join(appDir, 'dist', 'worker', 'index.mjs'),
    dataThread: path.join(appDir, 'dist', 'backup', 'data-thread.mjs'),
    migrationsDirs: [path.join(appDir, 'dist', 'migrations'), path.join(appDir, 'main', 'db', 'migrations')],
    binDir: path.join(appDir, '.ops', 'bin'),
    schemaDir: path.join(appDir, '.ops', 'schema'),
    rendererDir: path.join(appDir, 'dist', 'renderer'),
    preload: path.join(appDir, 'dist', 'preload', 'index.cjs'),
    iconsDir: path.join(appDir, 'resources', 'icons'),
  };
}

/** The icon file for a window or tray at about `size` pixels (the nearest PNG generated from the SVG). */
export function iconFile(size = 256, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(shippedResources(env).iconsDir, `${size}x${size}.png`);
}
