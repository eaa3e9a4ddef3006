// The form helper's wording: every kind of refused value reads as the field, what is allowed and the value given,
// whether the client's parse with the contract's schema found it or the router refused it.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AuditFilterSchema,
  CycleListInputSchema,
  StartCycleInputSchema,
  WorkerSettingsSchema,
  operations,
} from '../../../main/api/contract';
import { Router } from '../../../main/api/router';
import { describeIssue, fromFailure, fromZodIssues } from '../../../renderer/src/forms/field-issues';
import { describeIssues, labelForPath } from '../../../renderer/src/forms/use-contract-form';

const RAW = /Too small|Too big|expected number|received NaN|INVALID_INPUT|Invalid input|not a positive whole/;

/** The client's words for an input, through the contract's schema. */
function words(schema: z.ZodType, input: unknown, labels: Record<string, string>, given = {}): string[] {
  const parsed = schema.safeParse(input, { reportInput: true });
  if (parsed.success) return [];
  return describeIssues(fromZodIssues(parsed.error.issues as never), labels, given).map((w) => w.text);
}

/** The router's refusal of an input, worded on the client. */
async function refused(op: keyof typeof operations, input: unknown): Promise<string[]> {
  const result = await new Router().call(op, input);
  if (result.ok) throw new Error(`${op} accepted ${JSON.stringify(input)}`);
  expect(result.error.code).toBe('INVALID_INPUT');
  return describeIssues(fromFailure(result.error), { processes: 'Worker processes' }).map((w) => w.text);
}

const scale = operations['worker.scale'].input;

describe('field errors in plain words', () => {
  it('says a number is too small, with the bound and the value given', () => {
    expect(words(scale, { processes: 0 }, { processes: 'Worker processes' })).toEqual([
      'Worker processes must be at least 1; you gave 0.',
    ]);
  });

  it('says a number is too big, with the bound and the value given', () => {
    expect(words(scale, { processes: 17 }, { processes: 'Worker processes' })).toEqual([
      'Worker processes must be at most 16; you gave 17.',
    ]);
  });

  it('says a value is not a number, quoting what was typed', () => {
    expect(words(scale, { processes: NaN }, { processes: 'Worker processes' }, { processes: 'two' })).toEqual(
      ['Worker processes must be a number; you gave “two”.'],
    );
  });

  it('says a number is not whole', () => {
    expect(words(scale, { processes: 1.5 }, { processes: 'Worker processes' }, { processes: '1.5' })).toEqual(
      ['Worker processes must be a whole number; you gave 1.5.'],
    );
  });

  it('names the real limit of a 20-digit cycle id instead of calling it not a positive whole number', () => {
    const typed = '12345678901234567890';
    const text = words(
      StartCycleInputSchema,
      { cycleId: Number(typed), reportIds: [1] },
      { cycleId: 'Cycle id' },
      { cycleId: typed },
    );
    expect(text).toEqual([`Cycle id must be a whole number of at most 9007199254740991; you gave ${typed}.`]);
  });

  it('says text is too long, with the limit and the length given', () => {
    const long = 'x'.repeat(250);
    expect(words(AuditFilterSchema, { text: long }, { text: 'Text' }, { text: long })).toEqual([
      'Text must have at most 200 characters; you gave 250.',
    ]);
  });

  it('says a value is not in the expected format, with an example', () => {
    expect(words(AuditFilterSchema, { since: 'yesterday' }, { since: 'From' })).toEqual([
      'From must be a date and time, for example 2026-11-25T14:02:59Z; you gave “yesterday”.',
    ]);
    expect(
      words(WorkerSettingsSchema.partial(), { mailWebhook: 'relay' }, { mailWebhook: 'Mail relay' }),
    ).toEqual(['Mail relay: write a full URL, for example http://127.0.0.1:8025/send; you gave “relay”.']);
  });

  it('says a required field is required, without a value given', () => {
    expect(words(StartCycleInputSchema, { reportIds: [1] }, { cycleId: 'Cycle id' })).toEqual([
      'Cycle id is required.',
    ]);
    expect(words(z.object({ name: z.string().min(1) }), { name: '' }, { name: 'Name' })).toEqual([
      'Name is required.',
    ]);
  });

  it('keeps the contract’s own words and adds the value given', () => {
    expect(
      words(
        StartCycleInputSchema,
        { cycleId: 5, reportIds: [] },
        { reportIds: 'Report ids' },
        { reportIds: '' },
      ),
    ).toEqual(['Report ids: name at least one report.']);
  });

  it('says the end of a date range may not come before its start', () => {
    const text = words(
      CycleListInputSchema,
      { from: '2026-11-25T12:00:00.000Z', to: '2026-11-24T12:00:00.000Z' },
      { from: 'Started from', to: 'Started to' },
    );
    expect(text).toEqual([
      'Started to: must not be before the start of the range; you gave 2026-11-24 12:00 UTC.',
    ]);
  });

  it('shows an element of a list on the list’s field, quoting the element typed', () => {
    const described = describeIssues(
      fromZodIssues(
        StartCycleInputSchema.safeParse({ cycleId: 1, reportIds: [1, NaN] }, { reportInput: true }).error!
          .issues as never,
      ),
      { reportIds: 'Report ids' },
      { 'reportIds.1': 'abc' },
    );
    expect(described).toEqual([{ field: 'reportIds', text: 'Report ids must be a number; you gave “abc”.' }]);
  });
});

describe('the router’s refusals, worded the same way', () => {
  it('words worker.scale −1, 0 and 17 as the client would (bound and value given), with no schema text', async () => {
    expect(await refused('worker.scale', { processes: -1 })).toEqual([
      'Worker processes must be at least 1; you gave -1.',
    ]);
    expect(await refused('worker.scale', { processes: 17 })).toEqual([
      'Worker processes must be at most 16; you gave 17.',
    ]);
    for (const text of [
      ...(await refused('worker.scale', { processes: 'x' })),
      ...(await refused('worker.scale', {})),
    ])
      expect(text).not.toMatch(RAW);
  });

  it('reads the message alone ("path: message; …") when a refusal has no structured issues', () => {
    const issues = fromFailure({
      code: 'INVALID_INPUT',
      message:
        'Invalid input for backups.schedule.set: everyHours: Too small: expected number to be >=0.01; keepLast: Invalid input: expected int, received number; kinds: Too small: expected array to have >=1 items',
      hint: 'Correct the fields named and try again.',
    });
    expect(issues.map((i) => describeIssue(i, labelForPath(i.path)))).toEqual([
      'Every hours must be at least 0.01.',
      'Keep last must be a whole number.',
      'Kinds must name at least one.',
    ]);
  });

  it('leaves a failure that is not about the input to the banner', () => {
    expect(fromFailure({ code: 'READ_ONLY', message: 'Profile is read-only', hint: 'Unlock it' })).toEqual(
      [],
    );
    // A handler's own refusal is already in the operator's words: it stays whole, for the banner.
    const unlock = {
      code: 'INVALID_INPUT',
      message: 'To unlock, type the profile\'s name exactly ("prod-eu"); "prod" does not match.',
      hint: 'Type the name as shown.',
    };
    expect(fromFailure(unlock)).toEqual([]);
  });

  it('words a cross-field rule the router refused on the field it names, and an issue about the whole input without a made-up field', async () => {
    const result = await new Router().call('stack.remove', { deleteData: true, confirm: 'yes' });
    if (result.ok) throw new Error('stack.remove accepted a wrong confirmation');
    expect(describeIssues(fromFailure(result.error), {}).map((w) => w.text)).toEqual([
      'Confirm: deleting the stack data needs the confirmation "delete data" typed out; you gave “yes”.',
    ]);
    const whole = fromFailure({
      code: 'INVALID_INPUT',
      message: 'Invalid input for stack.remove: Unrecognized key: "force"',
      hint: 'Correct the fields named and try again.',
    });
    expect(describeIssues(whole, {}).map((w) => w.text)).toEqual(['This form does not take “force”.']);
  });

  it('never lets the schema’s own wording through, for each operation’s empty input', async () => {
    for (const op of Object.keys(operations) as Array<keyof typeof operations>) {
      const result = await new Router().call(op, { unexpected: 1 });
      if (result.ok) continue;
      const texts = describeIssues(fromFailure(result.error), {}).map((w) => w.text);
      for (const text of texts) expect(text, `${op}: ${text}`).not.toMatch(RAW);
    }
  });
});
