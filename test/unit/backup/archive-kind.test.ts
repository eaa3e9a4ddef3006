import { describe, expect, it } from 'vitest';
import { archiveKind, readToc } from '../../../main/backup/dump';
import type { PgTools } from '../../../main/stack';

const tocOf = (text: string): PgTools => ({
  dump: () => Promise.resolve(),
  restore: () => Promise.resolve(),
  psql: () => Promise.resolve(),
  toc: () => Promise.resolve(text),
});

const APP = `;
; Archive created at 2026-11-25 15:37:47 UTC
214; 1259 16384 TABLE public ops_schema_migrations ops
215; 1259 16390 TABLE public test_cycles ops
3340; 0 16384 TABLE DATA public ops_schema_migrations ops
3341; 0 16390 TABLE DATA public test_cycles ops
`;
const TEMPORAL = `220; 1259 16400 TABLE public schema_version ops
221; 1259 16410 TABLE public executions ops
3350; 0 16410 TABLE DATA public executions ops
`;

describe('what an archive holds, judged from its table of contents', () => {
  it('reads the data entries with their dump ids', async () => {
    const toc = await readToc(tocOf(APP), '/x');
    expect(toc.filter((e) => e.type === 'TABLE DATA')).toEqual([
      { dumpId: 3340, type: 'TABLE DATA', schema: 'public', name: 'ops_schema_migrations', deps: [] },
      { dumpId: 3341, type: 'TABLE DATA', schema: 'public', name: 'test_cycles', deps: [] },
    ]);
  });

  it('tells the app DB, the Temporal DB and anything else apart', async () => {
    expect(archiveKind(await readToc(tocOf(APP), '/x'))).toBe('app');
    expect(archiveKind(await readToc(tocOf(TEMPORAL), '/x'))).toBe('temporal');
    expect(archiveKind(await readToc(tocOf('1; 1259 1 TABLE public invoices ops\n'), '/x'))).toBe('foreign');
  });

  it('turns an unreadable archive into a clear BACKUP_INVALID error', async () => {
    const broken: PgTools = { ...tocOf(''), toc: () => Promise.reject(new Error('could not read toc.dat')) };
    await expect(readToc(broken, '/sets/x/synapse_dt')).rejects.toMatchObject({ code: 'BACKUP_INVALID' });
  });
});
