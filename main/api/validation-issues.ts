// A refused input explained field by field, in the operator's words: which field, what is allowed, what was
// given. Forms map these onto their fields; the CLI and the log print the joined message.
import { z } from 'zod';
import { OpsError } from './errors';

/** What a field accepts, as far as its schema says. */
export interface AllowedValues {
  type?: string;
  min?: number;
  max?: number;
  /** For text and lists: the length bounds. */
  minLength?: number;
  maxLength?: number;
  wholeNumber?: boolean;
  values?: unknown[];
}

/** One refused field (details.issues[] of an INVALID_INPUT error). */
export interface ValidationIssue {
  /** Path of the field in the input, e.g. ["temporal", "port"]; [] is the input as a whole. */
  path: string[];
  /** The path joined with dots ("temporal.port"), or "" for the input as a whole. */
  field: string;
  /** Plain words, without the field's name (the form shows it next to the field). */
  message: string;
  /** zod's issue code: too_small, too_big, invalid_type, invalid_value, unrecognized_keys, invalid_format, custom… */
  code: string;
  allowed?: AllowedValues;
  /** The value given (long text shortened; absent when nothing was given or it is a secret). */
  given?: unknown;
}

const SECRET_FIELD = /pass(word)?|secret|token|api.?key|private|clientkey|credential/i;

type Def = { type: string; [k: string]: unknown };
const defOf = (schema: unknown): Def | undefined => (schema as { _zod?: { def?: Def } })?._zod?.def;

/** The schema of the field at `path`, through wrappers (optional, default, pipe, refine…); undefined if unknown. */
function schemaAt(root: z.ZodType, path: PropertyKey[]): z.ZodType | undefined {
  let current: unknown = root;
  for (let i = 0; ;) {
    const def = defOf(current);
    if (!def) return undefined;
    if (
      ['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type)
    ) {
      current = def.innerType;
      continue;
    }
    if (def.type === 'pipe') {
      current = def.in;
      continue;
    }
    if (i === path.length) return current as z.ZodType;
    const key = path[i++];
    if (def.type === 'object') current = (def.shape as Record<string, unknown>)[String(key)];
    else if (def.type === 'array') current = def.element;
    else if (def.type === 'record') current = def.valueType;
    else return undefined;
  }
}

function allowedOf(schema: z.ZodType | undefined, issue: z.core.$ZodIssue): AllowedValues | undefined {
  const allowed: AllowedValues = {};
  const def = defOf(schema);
  if (def?.type === 'number') {
    const n = schema as z.ZodNumber;
    allowed.type = 'number';
    if (n.minValue !== null && Number.isFinite(n.minValue)) allowed.min = n.minValue;
    if (n.maxValue !== null && Number.isFinite(n.maxValue)) allowed.max = n.maxValue;
    if (n.isInt) allowed.wholeNumber = true;
    if (allowed.wholeNumber && Math.abs(allowed.min ?? 0) > 1e15) delete allowed.min;
    if (allowed.wholeNumber && Math.abs(allowed.max ?? 0) > 1e15) delete allowed.max;
  } else if (def?.type === 'string') {
    const s = schema as z.ZodString;
    allowed.type = 'text';
    if (s.minLength !== null) allowed.minLength = s.minLength;
    if (s.maxLength !== null) allowed.maxLength = s.maxLength;
  } else if (def?.type === 'enum') {
    allowed.values = (schema as z.ZodEnum).options;
  } else if (def?.type === 'boolean') {
    allowed.type = 'true or false';
  } else if (def?.type === 'literal') {
    allowed.values = def.values as unknown[];
  }
  if (issue.code === 'too_small' && issue.origin === 'array') allowed.minLength = Number(issue.minimum);
  if (issue.code === 'too_big' && issue.origin === 'array') allowed.maxLength = Number(issue.maximum);
  if (issue.code === 'invalid_value') allowed.values = issue.values;
  return Object.keys(allowed).length ? allowed : undefined;
}

const listOf = (values: unknown[]) => values.map((v) => JSON.stringify(v)).join(', ');

function range(a: AllowedValues | undefined, unit = ''): string {
  if (!a) return '';
  const what = a.wholeNumber ? 'a whole number' : 'a number';
  if (a.min !== undefined && a.max !== undefined) return `${what} from ${a.min} to ${a.max}${unit}`;
  if (a.min !== undefined) return `${what} of at least ${a.min}${unit}`;
  if (a.max !== undefined) return `${what} of at most ${a.max}${unit}`;
  return what;
}

function lengthRange(a: AllowedValues | undefined, unit: string): string {
  if (a?.minLength !== undefined && a.maxLength !== undefined)
    return `from ${a.minLength} to ${a.maxLength} ${unit}`;
  if (a?.maxLength !== undefined) return `at most ${a.maxLength} ${unit}`;
  if (a?.minLength !== undefined) return `at least ${a.minLength} ${unit}`;
  return '';
}

function describeType(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number' && Number.isNaN(value)) return 'not a number';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'text';
  return `a ${typeof value}`;
}

/** Plain words for one issue, from its code and what its field allows. */
function plainMessage(issue: z.core.$ZodIssue, allowed: AllowedValues | undefined, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return 'Required.';
      if (issue.expected === 'int')
        return `Must be ${range({ ...allowed, wholeNumber: true })}; ${String(input)} is not a whole number.`;
      if (issue.expected === 'number' && typeof input === 'number')
        return `Must be ${range(allowed)}; ${String(input)} is not a finite number.`;
      return `Must be ${issue.expected === 'string' ? 'text' : issue.expected}, not ${describeType(input)}.`;
    case 'too_small':
    case 'too_big':
      if (issue.origin === 'number' || issue.origin === 'bigint') return `Must be ${range(allowed)}.`;
      if (issue.origin === 'string')
        return allowed?.minLength === 1 && issue.code === 'too_small'
          ? 'Must not be empty.'
          : `Must be ${lengthRange(allowed, 'characters')} long.`;
      if (issue.origin === 'array')
        return issue.code === 'too_small' && Number(issue.minimum) === 1
          ? 'Choose at least one.'
          : `Must have ${lengthRange(allowed, 'items')}.`;
      return issue.message;
    case 'invalid_value':
      return issue.values.length === 1
        ? `Must be ${listOf(issue.values)}.`
        : `Must be one of ${listOf(issue.values)}.`;
    case 'unrecognized_keys':
      return `Not a field of this operation: ${issue.keys.join(', ')}.`;
    case 'invalid_format':
      return issue.format === 'datetime'
        ? 'Must be a date and time such as 2026-11-25T14:02:59Z.'
        : issue.format === 'regex'
          ? 'Has characters or a form that is not allowed here.'
          : `Must be a valid ${issue.format}.`;
    default:
      return issue.message;
  }
}

/** zod's own wording for an issue, to tell it apart from a message the schema's author wrote. */
function isZodDefault(message: string): boolean {
  return /^(Invalid input|Too (small|big)|Invalid option|Unrecognized key|Invalid string|Invalid (number|format|element|key)|Invalid$)/.test(
    message,
  );
}

function givenOf(path: PropertyKey[], input: unknown): unknown {
  if (path.some((p) => SECRET_FIELD.test(String(p)))) return undefined;
  if (typeof input === 'string') return input.length > 200 ? `${input.slice(0, 200)}…` : input;
  if (typeof input === 'number' || typeof input === 'boolean' || input === null) return input;
  if (input === undefined) return undefined;
  return describeType(input);
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = Object.prototype.hasOwnProperty.call(current, key)
      ? (current as Record<PropertyKey, unknown>)[key]
      : undefined;
  }
  return current;
}

/** The issues of a failed parse, each with its field, plain words, what is allowed and what was given. */
export function validationIssues(schema: z.ZodType, error: z.ZodError, input: unknown): ValidationIssue[] {
  return error.issues.map((issue) => {
    const allowed = allowedOf(schemaAt(schema, issue.path), issue);
    const given = valueAt(input, issue.path);
    const message = isZodDefault(issue.message) ? plainMessage(issue, allowed, given) : issue.message;
    const out: ValidationIssue = {
      path: issue.path.map(String),
      field: issue.path.map(String).join('.'),
      message,
      code: issue.code,
    };
    if (allowed) out.allowed = allowed;
    const shown = givenOf(issue.path, given);
    if (shown !== undefined) out.given = shown;
    return out;
  });
}

/**
 * The INVALID_INPUT error for an operation's refused input. Its message joins "field: words" for every issue
 * (the text the CLI prints); details.issues carries them one by one for forms.
 */
export function invalidInputError(
  op: string,
  schema: z.ZodType,
  error: z.ZodError,
  input: unknown,
): OpsError {
  const issues = validationIssues(schema, error, input);
  const text = issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join('; ');
  return new OpsError(
    'INVALID_INPUT',
    `Invalid input for ${op}: ${text}`,
    'Correct the fields named and try again.',
    {
      issues,
    },
  );
}
