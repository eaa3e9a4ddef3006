import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx|mts|mjs|js)$/.test(entry.name) ? [full] : [];
  });
}

const importsElectron =
  /from\s+['"]electron['"]|require\(\s*['"]electron['"]\s*\)|import\(\s*['"]electron['"]\s*\)/;

describe('architecture boundaries', () => {
  it('imports electron only in main/electron and preload', () => {
    const offenders = ['main', 'renderer', 'worker']
      .flatMap(sourceFiles)
      .filter((file) => !file.startsWith(path.join('main', 'electron') + path.sep))
      .filter((file) => importsElectron.test(fs.readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('keeps the renderer free of Node built-ins', () => {
    const offenders = sourceFiles('renderer').filter((file) =>
      /from\s+['"](node:|fs['"]|child_process|path['"])/.test(fs.readFileSync(file, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
