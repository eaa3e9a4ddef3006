// The recovery journal's rollback: whatever point a killed console stopped at, the previous folders come back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  beginRecovery,
  journalFile,
  rollBackInterrupted,
  swapFolders,
} from '../../../main/stack/pitr/journal';

let dir: string;
const at = (name: string) => path.join(dir, name);
const write = (name: string, text: string) => {
  fs.mkdirSync(at(name), { recursive: true });
  fs.writeFileSync(path.join(at(name), 'PG_VERSION'), text);
};
const read = (name: string) => fs.readFileSync(path.join(at(name), 'PG_VERSION'), 'utf8');
const steps = () => [
  { from: at('data'), to: at('data.old') },
  { from: at('data.recovered'), to: at('data') },
];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-journal-'));
  write('data', 'previous');
  write('data.recovered', 'recovered');
  beginRecovery(dir, [at('data.recovered')]);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('rolling back an interrupted recovery', () => {
  it('removes the scratch copy when the console died before the swap', () => {
    expect(rollBackInterrupted(dir)).toMatch(/rolled back/);
    expect(read('data')).toBe('previous');
    expect(fs.readdirSync(dir).sort()).toEqual(['data']);
  });

  it('puts the previous folder back after a finished swap', () => {
    swapFolders(dir, steps());
    expect(read('data')).toBe('recovered');
    rollBackInterrupted(dir);
    expect(read('data')).toBe('previous');
    expect(fs.readdirSync(dir).sort()).toEqual(['data']);
    expect(fs.existsSync(journalFile(dir))).toBe(false);
  });

  it('undoes a rename that happened after the last record (killed between the two)', () => {
    // Journal written with both steps and none recorded done; the first rename happened anyway.
    const file = journalFile(dir);
    const journal = JSON.parse(fs.readFileSync(file, 'utf8')) as object;
    fs.writeFileSync(file, JSON.stringify({ ...journal, steps: steps(), done: 0 }));
    fs.renameSync(at('data'), at('data.old'));
    rollBackInterrupted(dir);
    expect(read('data')).toBe('previous');
    expect(fs.readdirSync(dir).sort()).toEqual(['data']);
  });

  it('leaves the live folder alone when the swap was recorded but had not begun', () => {
    const file = journalFile(dir);
    const journal = JSON.parse(fs.readFileSync(file, 'utf8')) as object;
    fs.writeFileSync(file, JSON.stringify({ ...journal, steps: steps(), done: 0 }));
    rollBackInterrupted(dir);
    expect(read('data')).toBe('previous');
    expect(fs.readdirSync(dir).sort()).toEqual(['data']);
  });
});
