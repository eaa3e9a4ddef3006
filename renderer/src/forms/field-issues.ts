// Validation issues in the operator's words: the field, what is allowed, the value given. Pure: the client's zod
// issues and the router's refusals both become FieldIssues here, and one function words them.
import type { OpsFailure } from '../ops/client';

/** What was wrong, without the schema's jargon; `limit` is the bound the value broke. */
export type IssueKind =
  | 'required'
  | 'not_number'
  | 'not_whole'
  | 'wrong_type'
  | 'too_small'
  | 'too_big'
  | 'format'
  | 'choice'
  | 'unknown_field'
  | 'custom';

export interface FieldIssue {
  /** Dotted path of the field in the operation's input ('' for the form as a whole). */
  path: string;
  kind: IssueKind;
  /** number, int, string, array, date: what the bound applies to. */
  origin?: string;
  limit?: number;
  /** False when the bound itself is not allowed (`> 0` rather than `>= 1`). */
  inclusive?: boolean;
  /** datetime, url, regex, email… for kind 'format'; the allowed values for kind 'choice'. */
  format?: string;
  choices?: string[];
  /** The contract's own words for this rule, when it gives them (they are already plain). */
  message?: string;
  /** The value the check saw, when known. */
  input?: unknown;
}

/** The zod issue fields this module reads (zod v4's issue shape, kept loose so no zod import is needed). */
export interface ZodIssueLike {
  code: string;
  path: ReadonlyArray<PropertyKey>;
  message: string;
  input?: unknown;
  origin?: string;
  expected?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  format?: string;
  values?: ReadonlyArray<unknown>;
  keys?: ReadonlyArray<string>;
}

// zod's built-in English messages all start like this; anything else was written in the contract for operators.
const DEFAULT_MESSAGE =
  /^(Too small|Too big|Invalid input|Invalid string|Invalid option|Invalid number|Invalid ISO|Invalid URL|Invalid email|Invalid discriminator|Invalid key|Invalid value|Invalid [A-Za-z0-9 -]+$|Unrecognized key)/;

function isDefaultMessage(message: string): boolean {
  return DEFAULT_MESSAGE.test(message);
}

function pathOf(path: ReadonlyArray<PropertyKey>): string {
  return path.map(String).join('.');
}

/** Issues from the client's own parse with a contract schema (parse with `reportInput: true` to say the value). */
export function fromZodIssues(issues: ReadonlyArray<ZodIssueLike>): FieldIssue[] {
  return issues.map((issue) => {
    const custom = isDefaultMessage(issue.message) ? undefined : issue.message;
    const base = { path: pathOf(issue.path), input: issue.input, message: custom };
    switch (issue.code) {
      case 'invalid_type': {
        const missing = issue.input === undefined || issue.input === null || issue.input === '';
        if (missing || (typeof issue.input === 'number' && Number.isNaN(issue.input)))
          return { ...base, kind: missing ? 'required' : 'not_number' };
        if (issue.expected === 'int') return { ...base, kind: 'not_whole' };
        if (issue.expected === 'number') return { ...base, kind: 'not_number' };
        return { ...base, kind: 'wrong_type', format: issue.expected };
      }
      case 'too_small':
      case 'too_big': {
        const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
        if (
          issue.code === 'too_small' &&
          issue.origin === 'string' &&
          Number(bound) === 1 &&
          issue.input === ''
        )
          return { ...base, kind: 'required' };
        return {
          ...base,
          kind: issue.code,
          origin: issue.origin,
          limit: Number(bound),
          inclusive: issue.inclusive ?? true,
        };
      }
      case 'invalid_format':
        return { ...base, kind: 'format', format: issue.format };
      case 'invalid_value':
        return { ...base, kind: 'choice', choices: (issue.values ?? []).map(String) };
      case 'unrecognized_keys':
        return { ...base, kind: 'unknown_field', choices: [...(issue.keys ?? [])] };
      default:
        return { ...base, kind: 'custom', message: issue.message };
    }
  });
}

/**
 * Reads one of zod's built-in messages back into an issue: the router's refusal carries only `path: message`.
 * Once the router sends structured issues (code, bound, input), fromFailure should pass them to fromZodIssues.
 */
export function fromMessage(path: string, message: string): FieldIssue {
  const base = { path };
  if (!isDefaultMessage(message)) return { ...base, kind: 'custom', message };
  let m = /^Too (small|big): expected (\w+) (?:to have|to be) (>=|<=|>|<|exactly )?(-?[\d.e+]+)/.exec(
    message,
  );
  if (m)
    return {
      ...base,
      kind: m[1] === 'small' ? 'too_small' : 'too_big',
      origin: m[2],
      limit: Number(m[4]),
      inclusive: m[3] !== '>' && m[3] !== '<',
    };
  m = /^Invalid input: expected (\w+), received (\w+)/.exec(message);
  if (m) {
    if (m[2] === 'undefined' || m[2] === 'null') return { ...base, kind: 'required' };
    if (m[2] === 'NaN') return { ...base, kind: 'not_number' };
    if (m[1] === 'int') return { ...base, kind: 'not_whole' };
    if (m[1] === 'number') return { ...base, kind: 'not_number' };
    return { ...base, kind: 'wrong_type', format: m[1] };
  }
  m = /^Invalid (?:option: expected one of |input: expected )(.+)$/.exec(message);
  if (m) return { ...base, kind: 'choice', choices: m[1]!.split('|').map((v) => v.replace(/^"|"$/g, '')) };
  m = /^Unrecognized keys?: (.+)$/.exec(message);
  if (m)
    return { ...base, kind: 'unknown_field', choices: m[1]!.split(', ').map((v) => v.replace(/^"|"$/g, '')) };
  if (/^Invalid string: must match pattern/.test(message))
    return { ...base, kind: 'format', format: 'regex' };
  m = /^Invalid (ISO datetime|ISO date|URL|email address)$/.exec(message);
  if (m) {
    const format = { 'ISO datetime': 'datetime', 'ISO date': 'date', URL: 'url', 'email address': 'email' }[
      m[1] as 'URL'
    ];
    return { ...base, kind: 'format', format };
  }
  return { ...base, kind: 'format' };
}

/** One issue of the router's INVALID_INPUT refusal (main/api/validation-issues.ts): the zod code, the bound, the value. */
interface RouterIssue {
  path: string[];
  code: string;
  message: string;
  allowed?: {
    type?: string;
    min?: number;
    max?: number;
    minLength?: number;
    maxLength?: number;
    wholeNumber?: boolean;
    values?: unknown[];
  };
  given?: unknown;
}

function fromOldIssue(i: { path?: unknown; message?: unknown }): FieldIssue {
  return fromMessage(Array.isArray(i.path) ? i.path.map(String).join('.') : '', String(i.message ?? ''));
}

/** Whether the code and bound say all the router's message says (so the client's wording can be used). */
function rebuilt(i: RouterIssue, bound: number | undefined): boolean {
  if (i.code === 'too_small' || i.code === 'too_big') return bound !== undefined;
  return ['invalid_type', 'invalid_value', 'unrecognized_keys'].includes(i.code);
}

/** A router issue read back into the zod issue it came from, so the client and the router word it alike. */
function fromRouterIssue(i: RouterIssue): FieldIssue {
  const a = i.allowed ?? {};
  const length = i.code === 'too_small' ? a.minLength : a.maxLength;
  const bound = i.code === 'too_small' ? (a.min ?? a.minLength) : (a.max ?? a.maxLength);
  const origin = length !== undefined ? (a.type === 'list' ? 'array' : 'string') : 'number';
  const [issue] = fromZodIssues([
    {
      code: i.code,
      path: i.path,
      // The router's words are plain already: they stand where the code and bound do not say more.
      message: rebuilt(i, bound) ? 'Invalid input' : i.message,
      input: i.given,
      origin,
      expected: a.wholeNumber ? 'int' : a.type,
      minimum: i.code === 'too_small' ? bound : undefined,
      maximum: i.code === 'too_big' ? bound : undefined,
      values: a.values,
    },
  ]);
  return issue!.kind === 'format' && !issue!.format
    ? { ...issue!, kind: 'custom', message: i.message }
    : issue!;
}

/** The issues of a refused call, or [] when the failure is not about the input. */
export function fromFailure(failure: OpsFailure | undefined): FieldIssue[] {
  if (!failure || failure.code !== 'INVALID_INPUT') return [];
  const structured = (
    failure.details as { issues?: Array<{ path?: unknown; message?: unknown; code?: unknown }> } | undefined
  )?.issues;
  // A handler's own INVALID_INPUT (no issues, not the router's "Invalid input for …") is already in plain words.
  if (
    !(Array.isArray(structured) && structured.length > 0) &&
    !/^Invalid input for [\w.]+: /.test(failure.message)
  )
    return [];
  if (Array.isArray(structured) && structured.length > 0)
    return structured.map((i) =>
      typeof i.code === 'string' ? fromRouterIssue(i as RouterIssue) : fromOldIssue(i),
    );
  // The message alone: "Invalid input for <op>: path: message; path: message".
  const body = failure.message.replace(/^Invalid input for [\w.]+: /, '');
  return body
    .split('; ')
    .filter(Boolean)
    .map((part) => {
      const m = /^([\w.]+): (.+)$/.exec(part);
      return m ? fromMessage(m[1]!, m[2]!) : fromMessage('', part);
    });
}

const FORMAT_WORDS: Record<string, string> = {
  datetime: 'a date and time, for example 2026-11-25T14:02:59Z',
  date: 'a date, for example 2026-11-25',
  url: 'a full URL, for example http://127.0.0.1:8025/send',
  email: 'an email address',
};

function plainNumber(n: number): string {
  return Number.isSafeInteger(n) || !Number.isInteger(n) ? String(n) : n.toLocaleString('en-US');
}

/** What the rule allows, as the end of "<field> must …". */
function allowed(issue: FieldIssue): string {
  const n = issue.limit ?? 0;
  switch (issue.kind) {
    case 'required':
      return 'be filled in';
    case 'not_number':
      return 'be a number';
    case 'not_whole':
      return 'be a whole number';
    case 'wrong_type':
      return `be ${issue.format === 'string' ? 'text' : (issue.format ?? 'of another kind')}`;
    case 'too_small':
    case 'too_big': {
      const small = issue.kind === 'too_small';
      const bound =
        issue.inclusive === false ? (small ? 'more than' : 'less than') : small ? 'at least' : 'at most';
      if (issue.origin === 'string') return `have ${bound} ${n} character${n === 1 ? '' : 's'}`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return small && n === 1 && issue.inclusive !== false
          ? 'name at least one'
          : `name ${bound} ${n} item${n === 1 ? '' : 's'}`;
      if (issue.origin === 'int' && !small) return `be a whole number of ${bound} ${plainNumber(n)}`;
      return `be ${bound} ${plainNumber(n)}`;
    }
    case 'format':
      return `be ${FORMAT_WORDS[issue.format ?? ''] ?? 'in the expected form'}`;
    case 'choice':
      return issue.choices && issue.choices.length > 1
        ? `be one of ${issue.choices.join(', ')}`
        : `be ${issue.choices?.[0] ?? 'one of the offered values'}`;
    default:
      return 'be another value';
  }
}

/** A value as the operator typed it: text in quotes, long text cut, nothing for an empty value. */
export function formatGiven(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return Number.isNaN(value) ? undefined : plainNumber(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : formatGiven(value.join(', '));
  if (typeof value === 'object') return undefined;
  const text = String(value);
  if (text.trim() === '') return 'only spaces';
  // A moment the form made from a date picker reads as the operator picked it, not as JSON.
  const moment = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::(\d{2})(?:\.\d+)?)?Z$/.exec(text);
  if (moment) return `${moment[1]} ${moment[2]}${moment[3] && moment[3] !== '00' ? `:${moment[3]}` : ''} UTC`;
  if (/^-?\d+(\.\d+)?$/.test(text.trim())) return text.trim();
  return `“${text.length > 48 ? `${text.slice(0, 47)}…` : text}”`;
}

/**
 * The sentence an operator reads: "<Label> must be at most 16; you gave 17." Custom contract words are kept:
 * "<Label>: <words>; you gave 80." `given` is the raw text of the field when the form has it (a 20-digit id
 * stays as typed), else the value the check saw.
 */
export function describeIssue(issue: FieldIssue, label: string, given?: unknown): string {
  if (issue.kind === 'unknown_field')
    return `${label || 'This form'} does not take ${(issue.choices ?? []).map((k) => `“${k}”`).join(', ')}.`;
  const shown = formatGiven(given !== undefined ? given : issue.input);
  const you = shown && issue.kind !== 'required' ? `; you gave ${shown}` : '';
  if (issue.message) {
    const words = issue.message.replace(/\.$/, '');
    // "Use a port…" reads on after the label; an acronym ("TLS…") keeps its capitals.
    const lead = /^[A-Z][a-z]/.test(words) ? words.charAt(0).toLowerCase() + words.slice(1) : words;
    return `${label ? `${label}: ` : ''}${lead}${you}.`;
  }
  if (issue.kind === 'required') return `${label} is required.`;
  if (
    issue.kind === 'too_small' &&
    issue.origin === 'string' &&
    issue.limit !== undefined &&
    typeof given === 'string'
  )
    return `${label} must ${allowed(issue)}; you gave ${given.length}.`;
  if (issue.kind === 'too_big' && issue.origin === 'string' && issue.limit !== undefined) {
    const length =
      typeof given === 'string'
        ? given.length
        : typeof issue.input === 'string'
          ? issue.input.length
          : undefined;
    return `${label} must ${allowed(issue)}${length !== undefined ? `; you gave ${length}` : ''}.`;
  }
  return `${label} must ${allowed(issue)}${you}.`;
}
