import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importEdges, type ImportEdge } from '../support/import-graph';
import { violations } from '../support/import-rule';

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

// Known breaks still to fix: empty (the provider contract closed the last ones). Each entry would be one known
// break; a new one fails the test, and an entry fixed but not removed fails it too.
const PENDING = new Set<string>([]);

describe('the import rule (README, Layout)', () => {
  const edges = importEdges(process.cwd(), ['main', 'worker', 'shared']);

  it('reads the real graph', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual({ from: 'main/console.ts', to: 'main/context/index.ts' });
  });

  it('has no folder cycle, deep import, upward import or worker↔main import beyond the pending ones', () => {
    expect(violations(edges, PENDING)).toEqual([]);
  });

  it('lists no pending break that is already fixed', () => {
    const now = new Set(violations(edges).map((v) => v.what));
    expect([...PENDING].filter((what) => !now.has(what))).toEqual([]);
  });

  it('catches each kind of break on a small graph', () => {
    const e = (from: string, to: string): ImportEdge => ({ from, to });
    const ok = [
      e('main/console.ts', 'main/backup/index.ts'),
      e('main/backup/create.ts', 'main/stack/index.ts'),
      e('main/stack/manager.ts', 'main/api/index.ts'),
      e('main/saga/service.ts', 'main/temporal/index.ts'),
      e('worker/index.ts', 'shared/phases.ts'),
      e('main/temporal/cycles.ts', 'shared/workflow.ts'),
    ];
    expect(violations(ok)).toEqual([]);
    const rules = (extra: ImportEdge[]) => violations([...ok, ...extra]).map((v) => v.rule);
    expect(rules([e('main/stack/manager.ts', 'main/console.ts')])).toContain('direction');
    expect(rules([e('main/stack/manager.ts', 'main/backup/index.ts')])).toEqual(['cycle', 'direction']);
    expect(rules([e('main/backup/create.ts', 'main/stack/local/postgres.ts')])).toEqual(['deep']);
    expect(rules([e('main/temporal/cycles.ts', 'worker/shared.ts')])).toContain('worker-main');
    expect(rules([e('worker/index.ts', 'main/api/index.ts')])).toContain('worker-main');
    expect(rules([e('shared/phases.ts', 'main/api/index.ts')])).toContain('direction');
    expect(rules([e('main/newroom/a.ts', 'main/api/index.ts')])).toEqual(['unmapped']);
    expect(rules([e('main/temporal/cycles.ts', 'main/saga/index.ts')])).toEqual(['cycle']);
  });
});
