// A phase's state only moves forward (the tracking writes and the live graph keep to the same order).
import { describe, expect, it } from 'vitest';
import { phaseStateMoves } from '../../../shared/phases';

describe('phase state order', () => {
  it('moves forward, and back to running only from waiting for the operator', () => {
    expect(phaseStateMoves('pending', 'running')).toBe(true);
    expect(phaseStateMoves('running', 'completed')).toBe(true);
    expect(phaseStateMoves('completed', 'compensated')).toBe(true);
    expect(phaseStateMoves('compensation_failed', 'compensated')).toBe(true);
    expect(phaseStateMoves('needs_attention', 'running')).toBe(true);
    // A repeated mark of a state already passed is not a move.
    expect(phaseStateMoves('completed', 'running')).toBe(false);
    expect(phaseStateMoves('running', 'pending')).toBe(false);
    expect(phaseStateMoves('compensated', 'failed')).toBe(false);
    expect(phaseStateMoves('completed', 'completed')).toBe(false);
  });
});
