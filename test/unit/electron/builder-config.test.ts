import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';

const config = YAML.parse(fs.readFileSync('electron-builder.yml', 'utf8')) as Record<string, unknown>;
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { main: string; name: string };

describe('electron-builder.yml', () => {
  it('points at the built Electron shell that build.mjs produces', () => {
    expect((config.extraMetadata as { main: string }).main).toBe(pkg.main);
    expect(fs.readFileSync('build.mjs', 'utf8')).toContain("entryPoints: { main: 'main/electron/main.ts' }");
    expect(pkg.main).toBe('dist/electron/main.cjs');
  });

  it('packs the built output and ships the stack binaries beside the app', () => {
    expect(config.files).toContain('dist/**/*');
    const from = (config.extraResources as Array<{ from: string }>).map((r) => r.from);
    expect(from).toEqual(expect.arrayContaining(['.ops/bin', '.ops/schema']));
  });

  it('has an app id and targets for every desktop platform', () => {
    expect(config.appId).toMatch(/^[a-z0-9.]+$/);
    for (const platform of ['linux', 'mac', 'win']) expect(config[platform]).toBeTruthy();
  });
});
