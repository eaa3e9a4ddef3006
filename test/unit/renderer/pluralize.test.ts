import { describe, expect, it } from 'vitest';
import { pluralOf, pluralize } from '../../../renderer/src/inspection/pluralize';

describe('counts read as English', () => {
  it('uses the singular for exactly one and the plural otherwise', () => {
    expect(pluralize(1, 'cycle')).toBe('1 cycle');
    expect(pluralize(0, 'cycle')).toBe('0 cycles');
    expect(pluralize(8, 'cycle')).toBe('8 cycles');
    expect(pluralize(1, 'compensation')).toBe('1 compensation');
    expect(pluralize(2, 'compensation')).toBe('2 compensations');
  });

  it('knows the irregular nouns the console counts', () => {
    expect(pluralize(1, 'retry')).toBe('1 retry');
    expect(pluralize(3, 'retry')).toBe('3 retries');
    expect(pluralize(2, 'entry')).toBe('2 entries');
    expect(pluralize(2, 'process')).toBe('2 processes');
    expect(pluralOf('run')).toBe('runs');
  });

  it('groups thousands and takes a given plural', () => {
    expect(pluralize(100000, 'cycle')).toBe('100,000 cycles');
    expect(pluralize(2, 'person', 'people')).toBe('2 people');
  });
});
