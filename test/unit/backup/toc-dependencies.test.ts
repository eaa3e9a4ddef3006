// The archive's table of contents with its dependencies (`pg_restore -l -v`), and which indexes and constraints a
// restore may build as soon as one table's data is in.
import { describe, expect, it } from 'vitest';
import { parseToc } from '../../../main/backup/dump';
import { singleTablePostData } from '../../../main/backup/load';

// As pg_restore 15 lists it with -v (dependencies on their own comment line after each entry).
const LIST = [
  ';',
  '; Archive created at 2026-12-01 13:00:00 UTC',
  ';',
  '; Selected TOC Entries:',
  ';',
  '5; 2615 2200 SCHEMA - public pg_database_owner',
  '214; 1255 16390 FUNCTION public lower_code(text) ops',
  ';\tdepends on: 5',
  '220; 1259 16400 TABLE public reports ops',
  ';\tdepends on: 5',
  '221; 1259 16410 TABLE public samples ops',
  ';\tdepends on: 5',
  '3400; 0 16400 TABLE DATA public reports ops',
  ';\tdepends on: 220',
  '3401; 0 16410 TABLE DATA public samples ops',
  ';\tdepends on: 221',
  '3200; 2606 16420 CONSTRAINT public reports reports_pkey ops',
  ';\tdepends on: 220',
  '3201; 1259 16421 INDEX public samples_report_idx ops',
  ';\tdepends on: 221',
  '3202; 1259 16422 INDEX public samples_code_idx ops',
  ';\tdepends on: 221 214',
  '3203; 2606 16423 FK CONSTRAINT public samples samples_report_fk ops',
  ';\tdepends on: 221 3200',
].join('\n');

describe("the archive's dependencies", () => {
  it('reads each entry with the dump ids it depends on', () => {
    const toc = parseToc(LIST);
    expect(toc.find((e) => e.dumpId === 3401)).toEqual({
      dumpId: 3401,
      type: 'TABLE DATA',
      schema: 'public',
      name: 'samples',
      deps: [221],
    });
    expect(toc.find((e) => e.dumpId === 3202)?.deps).toEqual([221, 214]);
    // An entry of a type not read here does not lend its dependencies to the one before it.
    expect(toc.find((e) => e.dumpId === 5)?.deps).toEqual([]);
  });

  it("builds a table's own keys and indexes with its data; an index on a function and a foreign key wait", () => {
    const own = singleTablePostData(parseToc(LIST));
    expect(Object.fromEntries(own)).toEqual({ 3400: [3200], 3401: [3201] });
  });

  it('builds nothing early from a list without dependencies (an older listing)', () => {
    const plain = LIST.split('\n')
      .filter((l) => !l.startsWith(';\t'))
      .join('\n');
    expect(singleTablePostData(parseToc(plain)).size).toBe(0);
  });
});
