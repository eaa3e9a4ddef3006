// Every operation that names a workflow bounds its id as Temporal does: a longer id can never name a workflow,
// and a request carrying a very long one makes Temporal's frontend stall instead of refusing it (a call with a
// 100,000-character id waited for ever and left the connection stuck for the next call).
import { describe, expect, it } from 'vitest';
import { operations, type OperationName } from '../../../main/api/contract';
import { MAX_WORKFLOW_ID_LENGTH } from '../../../main/api/contract/ids';
import { Router } from '../../../main/api/router';
import { jsonSchemaOf } from '../../support/contract-arbitraries';

type Json = Record<string, unknown>;

/** The schemas of a field wherever it appears in an operation's input (unions and nested objects included). */
function fieldSchemas(schema: Json, field: string, found: Json[] = []): Json[] {
  const properties = schema.properties as Record<string, Json> | undefined;
  if (properties?.[field]) found.push(properties[field]);
  for (const nested of Object.values(properties ?? {})) fieldSchemas(nested, field, found);
  for (const variant of [...((schema.anyOf as Json[]) ?? []), ...((schema.oneOf as Json[]) ?? [])])
    fieldSchemas(variant, field, found);
  return found;
}

describe('workflow ids in the contract', () => {
  const names = Object.keys(operations) as OperationName[];

  it('every workflowId and runId an operation takes has a length limit within Temporal’s', () => {
    let checked = 0;
    for (const name of names) {
      const schema = jsonSchemaOf(operations[name].input);
      for (const field of ['workflowId', 'runId']) {
        for (const s of fieldSchemas(schema, field)) {
          checked++;
          expect(s.type, `${name}.${field}`).toBe('string');
          expect(Number(s.maxLength), `${name}.${field} has no length limit`).toBeLessThanOrEqual(
            MAX_WORKFLOW_ID_LENGTH,
          );
        }
      }
    }
    expect(checked).toBeGreaterThan(15); // the walk found the operations that name a workflow
  });

  it('an id one character too long is refused before anything is asked of Temporal, naming the field', async () => {
    const router = new Router();
    let asked = 0;
    router.register({
      'workflows.progress': () => {
        asked++;
        return { workflowId: 'x', status: 'running', phases: [], waitingFor: [] };
      },
    });
    const answer = await router.call('workflows.progress', {
      workflowId: 'x'.repeat(MAX_WORKFLOW_ID_LENGTH + 1),
    });
    expect(answer.ok).toBe(false);
    if (answer.ok) return;
    expect(answer.error.code).toBe('INVALID_INPUT');
    expect(answer.error.message).toMatch(/workflowId/);
    expect(answer.error.message).toContain(String(MAX_WORKFLOW_ID_LENGTH));
    expect(asked).toBe(0);
    expect(
      await router.call('workflows.progress', { workflowId: 'x'.repeat(MAX_WORKFLOW_ID_LENGTH) }),
    ).toMatchObject({
      ok: true,
    });
  });
});
