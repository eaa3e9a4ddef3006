// Counts read as English on the archive cards, and no "(s)" plural left anywhere in the console's own text.
import fs from 'node:fs';
import path from 'node:path';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ArchiveHealth } from '../../../main/api/contract';
import { ArchiveHealthCards } from '../../../renderer/src/components/ArchiveHealthCards';

const root = path.resolve(__dirname, '../../../renderer/src');

function health(segments: number, baseBackups: number, lagSegments?: number): ArchiveHealth {
  return {
    cluster: 'app-postgres',
    enabled: true,
    failedCount: 0,
    archiveBytes: 32e6,
    segments,
    baseBackups,
    ...(lagSegments === undefined ? {} : { lagSegments }),
  };
}

const text = (h: ArchiveHealth) =>
  renderToStaticMarkup(createElement(ArchiveHealthCards, { health: [h] }))
    .replace(/<[^>]+>/g, '')
    .replace(/<!-- -->/g, '');

describe('plurals on the archive cards', () => {
  it('says one segment and one base backup in the singular', () => {
    const shown = text(health(1, 1, 1));
    expect(shown).toContain('1 segment behind');
    expect(shown).toContain('in 1 segment ·');
    expect(shown).toContain('1 base backup ·');
    expect(shown).not.toContain('(s)');
  });

  it('says several in the plural', () => {
    const shown = text(health(12, 2, 3));
    expect(shown).toContain('3 segments behind');
    expect(shown).toContain('in 12 segments ·');
    expect(shown).toContain('2 base backups ·');
  });
});

describe('the console text', () => {
  it('has no "(s)" plural in any renderer source (a unit such as "(s)" for seconds stands alone)', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.tsx?$/.test(entry.name)) {
          fs.readFileSync(full, 'utf8')
            .split('\n')
            .forEach((line, i) => {
              // A word with "(s)", "(es)" or "(ies)" glued on and text after it: "segment(s) behind", "process(es)'"
              // (a call such as `freshnessOf(s).live` or `right(s);` is code, not text).
              if (/[A-Za-z]\((?:s|es|ies)\)(?=[\s'"`<]|$)/.test(line))
                offenders.push(`${path.relative(root, full)}:${i + 1}`);
            });
        }
      }
    };
    walk(root);
    expect(offenders).toEqual([]);
  });
});
