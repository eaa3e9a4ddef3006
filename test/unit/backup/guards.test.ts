import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { BackupManifest, BackupSetSummary } from '../../../main/api/contract';
import { compareVersions, restoreRefusals } from '../../../main/backup/guards';
import { expiredSets } from '../../../main/backup/sets';
import { ContentHasher, contentAlgorithmOf, setContentAlgorithm } from '../../../main/backup/content-hash';
import { restartAdvice } from '../../../main/backup/reconcile';

function manifest(): BackupManifest {
  const db = {
    startedAt: '',
    finishedAt: '',
    bytes: 1,
    tables: [],
    files: [],
    serverVersion: '15.1',
    serverMajor: 15,
  };
  return {
    format: 'ops-console-backup',
    formatVersion: 1,
    id: 'x',
    createdAt: '',
    finishedAt: '',
    consoleVersion: '0.1.0',
    provider: 'local',
    kinds: ['app', 'temporal'],
    consistency: { quiesced: true, skewMs: 0, note: '' },
    databases: [
      { ...db, kind: 'app', database: 'synapse_dt', archive: 'synapse_dt', appMigrations: ['0001_initial'] },
      { ...db, kind: 'temporal', database: 'temporal', archive: 'temporal', temporalSchemaVersion: '1.14' },
    ],
  };
}

const target = {
  serverMajor: { app: 15, temporal: 15 },
  knownMigrations: ['0001_initial', '0002_metrics'],
  temporalSchemaLatest: { temporal: '1.14' },
};
const kinds = { synapse_dt: 'app', temporal: 'temporal' } as const;

describe('restore guards', () => {
  it('accept a set this console and server can take', () => {
    expect(restoreRefusals(manifest(), ['app', 'temporal'], target, kinds)).toEqual([]);
  });

  it('refuse an app-only set for the Temporal DB', () => {
    const m = manifest();
    m.kinds = ['app'];
    m.databases = [m.databases[0]!];
    expect(restoreRefusals(m, ['temporal'], target, kinds).join()).toMatch(
      /an app DB backup only; it cannot be restored into the Temporal DB/,
    );
  });

  it('refuse an archive whose content is of the other kind or foreign', () => {
    expect(restoreRefusals(manifest(), ['app'], target, { synapse_dt: 'temporal' }).join()).toMatch(
      /holds a Temporal DB backup/,
    );
    expect(restoreRefusals(manifest(), ['app'], target, { synapse_dt: 'foreign' }).join()).toMatch(
      /not a backup of the app DB/,
    );
  });

  it('refuse a newer server major, unknown migrations and a newer Temporal schema', () => {
    const m = manifest();
    m.databases[0]!.serverMajor = 16;
    m.databases[0]!.appMigrations = ['0001_initial', '0003_future'];
    m.databases[1]!.temporalSchemaVersion = '1.15';
    const r = restoreRefusals(m, ['app', 'temporal'], target, kinds);
    expect(r).toHaveLength(3);
    expect(r.join(' ')).toMatch(/PostgreSQL 16.*0003_future.*1\.15/s);
  });

  it('compare schema versions part by part', () => {
    expect(compareVersions('1.14', '1.9')).toBe(1);
    expect(compareVersions('1.9', '1.14')).toBe(-1);
    expect(compareVersions('1.14', '1.14.0')).toBe(0);
  });
});

describe('retention', () => {
  const set = (id: string, daysAgo: number): BackupSetSummary => ({
    id,
    path: '',
    createdAt: new Date(Date.UTC(2026, 0, 31) - daysAgo * 86_400_000).toISOString(),
    kinds: ['app'],
    databases: [],
    bytes: 0,
    quiesced: true,
  });
  const now = new Date(Date.UTC(2026, 0, 31));

  it('keeps the newest N', () => {
    expect(expiredSets([set('a', 1), set('b', 2), set('c', 3)], { keepLast: 2 }, now)).toEqual(['c']);
  });

  it('removes sets older than the days given but never the newest one', () => {
    expect(expiredSets([set('a', 10), set('b', 20)], { keepDays: 5 }, now)).toEqual(['b']);
  });
});

describe('content checksums', () => {
  it('of an archive data file equal those of the live COPY text, however the bytes are chunked', async () => {
    const rows = '1\tx\\n1\n2\ty\n3\t\\\\.\n';
    const live = await ContentHasher.create(false);
    live.update(Buffer.from(rows));
    const expected = live.digest();
    expect(expected.rows).toBe(3);
    const data = Buffer.from(rows + '\\.\n\n\n');
    for (const size of [1, 3, 7, 16, 17, 1000]) {
      const h = await ContentHasher.create(true);
      for (let i = 0; i < data.length; i += size) h.update(data.subarray(i, i + size));
      expect(h.digest(), `chunks of ${size}`).toEqual(expected);
    }
  });

  it('of an empty table is the hash of nothing', async () => {
    const h = await ContentHasher.create(true);
    h.update(Buffer.from('\\.\n\n\n'));
    expect(h.digest().rows).toBe(0);
  });
});

describe('content checksum algorithms', () => {
  const text = '1\talpha\n2\tbeta\n';
  it('a new set records xxh64, named in the checksum', async () => {
    const h = await ContentHasher.create(false);
    h.update(Buffer.from(text));
    const { checksum } = h.digest();
    expect(checksum).toMatch(/^xxh64:[0-9a-f]{16}$/);
    expect(contentAlgorithmOf(checksum)).toBe('xxh64');
    const other = await ContentHasher.create(false);
    other.update(Buffer.from(text.replace('beta', 'betb')));
    expect(other.digest().checksum).not.toBe(checksum);
  });

  it('a set from an earlier console is checked with its bare sha256', async () => {
    const sha = crypto.createHash('sha256').update(text).digest('hex');
    expect(setContentAlgorithm({ tables: [{ checksum: sha }] })).toBe('sha256');
    const h = await ContentHasher.create(false, setContentAlgorithm({ tables: [{ checksum: sha }] }));
    h.update(Buffer.from(text));
    expect(h.digest()).toEqual({ rows: 2, checksum: sha });
  });
});

describe('restart advice for a cycle Temporal lost', () => {
  it('skips the completed prefix of phases only', () => {
    expect(
      restartAdvice({
        id: 1,
        reportIds: [1],
        completed: ['planning', 'scoping', 'data_owner_identification'],
      }),
    ).toMatchObject({
      lastCompletedPhase: 'scoping',
      skipPhases: ['planning', 'scoping'],
    });
    expect(restartAdvice({ id: 1, reportIds: [1], completed: [] }).skipPhases).toEqual([]);
  });
});
