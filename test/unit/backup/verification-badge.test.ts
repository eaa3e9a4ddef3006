import { describe, expect, it } from 'vitest';
import { strongestVerification } from '../../../main/backup/sets';

const check = (ok: boolean, trialRestore: boolean, at: string) => ({
  ok,
  trialRestore,
  at,
  problems: ok ? [] : ['app.dat: checksum differs'],
});

describe("a backup set's verification badge", () => {
  it('keeps a passed trial restore when a plain verify passes later', () => {
    const trial = check(true, true, '2026-11-30T10:00:00Z');
    expect(strongestVerification(trial, check(true, false, '2026-11-30T11:00:00Z'))).toEqual(trial);
  });

  it('shows a failure whatever passed before', () => {
    const failed = check(false, false, '2026-11-30T11:00:00Z');
    expect(strongestVerification(check(true, true, '2026-11-30T10:00:00Z'), failed)).toEqual(failed);
  });

  it('takes a newer check of the same or a stronger kind', () => {
    const later = check(true, true, '2026-11-30T12:00:00Z');
    expect(strongestVerification(check(true, false, '2026-11-30T10:00:00Z'), later)).toEqual(later);
    expect(strongestVerification(undefined, check(true, false, '2026-11-30T10:00:00Z')).trialRestore).toBe(
      false,
    );
  });
});
