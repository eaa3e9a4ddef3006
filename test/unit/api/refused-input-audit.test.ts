// A write refused for its input reaches the audit trail as refused (worker scale −1, 0 and 17 were missing);
// a read refused for its input does not (the trail lists writes only).
import { describe, expect, it } from 'vitest';
import { Router } from '../../../main/api/router';

function observed(): {
  router: Router;
  seen: Array<{ op: string; input: unknown; refused: boolean; code: string }>;
} {
  const router = new Router();
  const seen: Array<{ op: string; input: unknown; refused: boolean; code: string }> = [];
  router.setWriteObserver((op, input, outcome) => {
    if (!outcome.ok) seen.push({ op, input, refused: outcome.refused, code: outcome.error.code });
  });
  return { router, seen };
}

describe('refused input in the audit trail', () => {
  it('records worker.scale with −1, 0 and 17 processes as refused, with the input given', async () => {
    const { router, seen } = observed();
    for (const processes of [-1, 0, 17]) {
      const result = await router.call('worker.scale', { processes });
      expect(result.ok).toBe(false);
    }
    expect(seen).toEqual(
      [-1, 0, 17].map((processes) => ({
        op: 'worker.scale',
        input: { processes },
        refused: true,
        code: 'INVALID_INPUT',
      })),
    );
  });

  it('does not record a read refused for its input', async () => {
    const { router, seen } = observed();
    expect((await router.call('audit.list', { limit: 0 })).ok).toBe(false);
    expect(seen).toEqual([]);
  });
});
