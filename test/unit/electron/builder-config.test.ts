import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { shippedResources } from '../../../main/resources';

interface Resource {
  from: string;
  to: string;
  filter?: string[];
}
const config = YAML.parse(fs.readFileSync('electron-builder.yml', 'utf8')) as Record<string, unknown> & {
  extraResources?: Resource[];
  linux: { extraResources: Resource[]; target: string[]; icon: string };
  mac: { extraResources: Resource[] };
  win: { extraResources: Resource[] };
  asarUnpack: string[];
};
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as {
  main: string;
  name: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};

const os = ({ linux: 'linux', darwin: 'mac', win32: 'win' } as const)[process.platform as 'linux'];
const arch = process.arch;
/** electron-builder's ${os} and ${arch} macros, as it expands them for this machine. */
const expand = (from: string) => from.replaceAll('${os}', os).replaceAll('${arch}', arch);

describe('electron-builder.yml', () => {
  it('points at the built Electron shell that build.mjs produces', () => {
    expect((config.extraMetadata as { main: string }).main).toBe(pkg.main);
    expect(fs.readFileSync('build.mjs', 'utf8')).toContain("entryPoints: { main: 'main/electron/main.ts' }");
    expect(pkg.main).toBe('dist/electron/main.cjs');
  });

  it('ships every extraResources source for the platform being packaged, and only that platform’s binaries', () => {
    const sources = config[os].extraResources;
    for (const resource of sources) {
      const from = expand(resource.from);
      expect(fs.existsSync(from), `${from} (extraResources) exists`).toBe(true);
      for (const name of resource.filter ?? []) {
        if (name.includes('*')) continue;
        expect(fs.existsSync(path.join(from, name)), `${path.join(from, name)} exists`).toBe(true);
      }
    }
    // Each platform lists its own (a top-level list would be copied twice); the binaries are per platform.
    expect(config.extraResources).toBeUndefined();
    for (const platform of ['linux', 'mac', 'win'] as const)
      expect(config[platform].extraResources.map((r) => r.to)).toEqual(['icons', 'schema', 'bin']);
    expect(config.mac.extraResources[2]!.from).toContain('${arch}');
  });

  it('unpacks the forked worker, the migrations and the modules the worker loads', () => {
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining(['dist/worker/**', 'dist/migrations/**', 'node_modules/**']),
    );
  });

  it('ships the backup data thread that build.mjs builds, unpacked where the resolver looks for it', () => {
    expect(fs.readFileSync('build.mjs', 'utf8')).toContain(
      "entryPoints: { 'data-thread': 'main/backup/data-thread.ts' }",
    );
    expect(config.asarUnpack).toContain('dist/backup/**');
    const shipped = shippedResources({ OPS_RESOURCES_PATH: '/opt/app/resources' });
    expect(shipped.dataThread).toBe('/opt/app/resources/app.asar.unpacked/dist/backup/data-thread.mjs');
    // From a checkout: the file the build wrote (the tests run after `node build.mjs`).
    expect(fs.existsSync(shippedResources({}).dataThread)).toBe(true);
  });

  it('has an app id, a product name, icons, a desktop entry and targets for every desktop platform', () => {
    expect(config.appId).toMatch(/^[a-z0-9.]+$/);
    expect(config.productName).toBe('Ops Console');
    for (const platform of ['linux', 'mac', 'win']) expect(config[platform]).toBeTruthy();
    for (const size of [16, 32, 48, 64, 128, 256, 512])
      expect(fs.existsSync(path.join(config.linux.icon, `${size}x${size}.png`))).toBe(true);
    expect((config.linux as { desktop?: { entry?: { Name?: string } } }).desktop?.entry?.Name).toBe(
      'Ops Console',
    );
    expect(config.linux.target).toContain('tar.gz');
  });

  it('packs only what main and the worker need: the renderer’s libraries are development dependencies', () => {
    for (const renderer of ['react', 'react-dom', '@mui/material', '@xyflow/react', 'zustand']) {
      expect(pkg.dependencies[renderer], renderer).toBeUndefined();
      expect(pkg.devDependencies[renderer], renderer).toBeDefined();
    }
    expect(pkg.devDependencies['electron-builder']).toBeDefined();
    expect(pkg.scripts.package).toContain('resources/package.mjs');
  });
});
