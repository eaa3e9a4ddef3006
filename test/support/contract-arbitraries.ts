// fast-check arbitraries for an operation's input, built from its schema (zod → JSON Schema): values that fit
// the schema, values just past its bounds, and values that break it (wrong types, missing and extra fields,
// huge strings and numbers, unicode, negative and zero).
import fc from 'fast-check';
import { z } from 'zod';

type Json = Record<string, unknown>;

const HUGE_STRING = 'x'.repeat(100_000);
const UNICODE = ['ünïcødé', '名前', '🚀🔥', 'a\u0000b', '\u202Eevil', 'Ω≈ç√', ' ', ''];
const NASTY_STRINGS = [
  HUGE_STRING,
  "=cmd|' /C calc'!A0",
  '../../etc/passwd',
  "'; DROP TABLE workflow_steps; --",
  '<script>alert(1)</script>',
  '%E0%A4%A',
  '__proto__',
  ...UNICODE,
];
const NASTY_NUMBERS = [0, -0, -1, 1, -1e308, 1e308, 2 ** 53, -(2 ** 53), 0.5, -0.5, 1.5, 65536, 4294967296];
/** Any JSON value of a type a field may not expect. */
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, [], {}, [1, 'a'], { nested: { deep: [null] } }),
  fc.constantFrom(...NASTY_STRINGS),
  fc.constantFrom(...NASTY_NUMBERS),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

export function jsonSchemaOf(schema: z.ZodType): Json {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
}

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

/** Values that fit the schema (as far as JSON Schema can say; refinements are checked by the caller). */
export function fitting(s: Json, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 6) return fc.constant(null);
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  const variants = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (variants) return fc.oneof(...variants.map((v) => fitting(v, depth + 1)));
  switch (s.type) {
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'integer':
    case 'number': {
      const min =
        num(s.minimum) ?? (num(s.exclusiveMinimum) !== undefined ? num(s.exclusiveMinimum)! + 1 : -1e6);
      const max =
        num(s.maximum) ?? (num(s.exclusiveMaximum) !== undefined ? num(s.exclusiveMaximum)! - 1 : 1e6);
      const lo = Math.max(min, -1e9);
      const hi = Math.min(max, 1e9);
      const edges = [min, max].filter((v) => Number.isFinite(v) && Math.abs(v) <= 2 ** 53);
      const inner =
        s.type === 'integer'
          ? fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) })
          : fc.double({ min: lo, max: hi, noNaN: true });
      return edges.length ? fc.oneof(inner, fc.constantFrom(...edges)) : inner;
    }
    case 'string': {
      if (s.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      if (s.format === 'uri') return fc.constantFrom('http://127.0.0.1:1/', 'https://example.invalid/x');
      if (typeof s.pattern === 'string')
        return fc.stringMatching(new RegExp(s.pattern)).filter((v) => fitsLength(s, v));
      const minLength = num(s.minLength) ?? 0;
      const maxLength = Math.min(num(s.maxLength) ?? 64, 64);
      return fc.string({ unit: 'grapheme', minLength, maxLength: Math.max(minLength, maxLength) });
    }
    case 'array': {
      const items = (s.items as Json | undefined) ?? {};
      return fc.array(fitting(items, depth + 1), {
        minLength: num(s.minItems) ?? 0,
        maxLength: Math.min(num(s.maxItems) ?? 5, 5),
      });
    }
    case 'object': {
      const props = (s.properties as Record<string, Json> | undefined) ?? {};
      const required = new Set((s.required as string[] | undefined) ?? []);
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) model[k] = fitting(v, depth + 1);
      return fc.record(model, { requiredKeys: [...required].filter((k) => k in props) });
    }
    default:
      return anyJson;
  }
}

function fitsLength(s: Json, v: string): boolean {
  return v.length >= (num(s.minLength) ?? 0) && v.length <= (num(s.maxLength) ?? Infinity);
}

/** Values at and just past the schema's bounds, and of the wrong kind, for one field. */
export function aroundField(s: Json): fc.Arbitrary<unknown> {
  const near: unknown[] = [];
  for (const key of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']) {
    const v = num(s[key]);
    if (v !== undefined) near.push(v - 1, v, v + 1, v - 0.5, v + 0.5);
  }
  for (const key of ['minLength', 'maxLength']) {
    const v = num(s[key]);
    if (v !== undefined) near.push('a'.repeat(Math.max(0, v - 1)), 'a'.repeat(v + 1));
  }
  if (Array.isArray(s.enum))
    near.push(...(s.enum as unknown[]).map((e) => `${String(e)}x`), String(s.enum[0]).toUpperCase());
  return near.length ? fc.oneof(fc.constantFrom(...near), anyJson) : anyJson;
}

/** Inputs from and around the schema: fitting ones, ones with one field broken, missing, or extra, and non-objects. */
export function inputsAround(schema: z.ZodType): fc.Arbitrary<unknown> {
  const s = jsonSchemaOf(schema);
  const props = (s.properties as Record<string, Json> | undefined) ?? {};
  const keys = Object.keys(props);
  const base = fitting(s);
  const broken = keys.length
    ? fc
        .tuple(base, fc.constantFrom(...keys))
        .chain(([value, key]) =>
          aroundField(props[key]!).map((bad) => ({ ...(value as object), [key]: bad })),
        )
    : base;
  const missing = keys.length
    ? fc.tuple(base, fc.constantFrom(...keys)).map(([value, key]) => {
        const copy = { ...(value as Record<string, unknown>) };
        delete copy[key];
        return copy;
      })
    : base;
  const extra = fc
    .tuple(base, fc.constantFrom('extra', '__proto__', 'constructor', 'x'.repeat(300), '名前'), anyJson)
    .map(([value, key, v]) => JSON.parse(JSON.stringify({ ...(value as object), [key]: v })) as unknown);
  return fc.oneof(
    { arbitrary: base, weight: 3 },
    { arbitrary: broken, weight: 4 },
    { arbitrary: missing, weight: 1 },
    { arbitrary: extra, weight: 1 },
    { arbitrary: anyJson, weight: 1 },
  );
}
