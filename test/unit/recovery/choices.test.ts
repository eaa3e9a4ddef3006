import { describe, expect, it } from 'vitest';
import { parseMoment, recoveryChoices, recoveryState } from '../../../renderer/src/recovery/choices';
import type { ArchiveHealth, TimelineMark } from '../../../main/api/contract';

describe('the moment to recover to', () => {
  it('reads an ISO moment with its zone and a local date and time', () => {
    expect(parseMoment('2026-11-25T14:02:59Z')).toEqual({ ok: true, iso: '2026-11-25T14:02:59.000Z' });
    expect(parseMoment('2026-11-25T15:02:59+01:00')).toEqual({ ok: true, iso: '2026-11-25T14:02:59.000Z' });
    expect(parseMoment(' 2026-11-25 14:02 ')).toEqual({
      ok: true,
      iso: new Date(2026, 10, 25, 14, 2, 0).toISOString(),
    });
  });

  it('says which formats it takes when the input is none of them', () => {
    for (const text of ['yesterday 3pm', '25/11/2026 14:02', '2026-02-30 10:00', '2026-11-25', '1']) {
      const parsed = parseMoment(text);
      expect(parsed.ok, text).toBe(false);
      if (!parsed.ok) {
        expect(parsed.message).toContain('YYYY-MM-DD HH:MM');
        expect(parsed.message).toContain('2026-11-25T14:02:59Z');
        expect(parsed.message).toContain(text);
      }
    }
  });
});

describe('what the Recovery page offers', () => {
  const marks: TimelineMark[] = [
    { at: '2026-11-30T10:00:00.000Z', kind: 'cycle_started', label: 'cycle ? started', workflowId: 'x' },
    { at: '2026-11-30T10:00:01.000Z', kind: 'operator', label: 'workflows.start' },
    { at: '2026-11-30T10:00:02.000Z', kind: 'base_backup', label: 'base backup of app-postgres' },
    {
      at: '2026-11-30T10:01:00.000Z',
      kind: 'phase_completed',
      label: 'planning completed',
      workflowId: 'c1',
    },
    { at: '2026-11-30T10:02:00.000Z', kind: 'compensation', label: 'planning compensated (rollback)' },
    {
      at: '2026-11-30T10:09:00.000Z',
      kind: 'phase_completed',
      label: 'finalize_test_report completed',
      workflowId: 'c1',
    },
  ];

  it('offers completed phases and cycles only, newest first, just before each', () => {
    expect(recoveryChoices(marks)).toEqual([
      {
        at: '2026-11-30T10:09:00.000Z',
        before: '2026-11-30T10:08:59.999Z',
        kind: 'cycle',
        label: 'c1 completed',
        workflowId: 'c1',
      },
      {
        at: '2026-11-30T10:01:00.000Z',
        before: '2026-11-30T10:00:59.999Z',
        kind: 'phase',
        label: 'Planning completed · c1',
        workflowId: 'c1',
      },
    ]);
  });

  it('offers nothing to recover to until archiving runs and each cluster has a base backup', () => {
    const h = (enabled: boolean, baseBackups: number) =>
      ({
        cluster: 'app-postgres',
        enabled,
        baseBackups,
        failedCount: 0,
        archiveBytes: 0,
        segments: 0,
      }) as ArchiveHealth;
    expect(recoveryState([])).toBe('loading');
    expect(recoveryState([h(false, 0), h(true, 1)])).toBe('archiving-off');
    expect(recoveryState([h(true, 1), h(true, 0)])).toBe('no-base-backup');
    expect(recoveryState([h(true, 1), h(true, 2)])).toBe('ready');
  });
});
