// One way every form validates: the contract's own zod schema on each change (so the client and the router
// agree), errors on the fields in plain words, the action disabled while anything is invalid, and the router's
// refusals mapped back onto the same fields.
import { useMemo, useRef, useState } from 'react';
import type { z } from 'zod';
import type { OpsFailure } from '../ops/client';
import { describeIssue, fromFailure, fromZodIssues, type FieldIssue } from './field-issues';

export interface ContractFormOptions {
  /** Operator labels by dotted input path; an issue is shown on the labelled field that contains its path. */
  labels: Record<string, string>;
  /** What the operator typed, by dotted path (the raw text, so "you gave" quotes it exactly). */
  given?: Record<string, unknown>;
  /** Help shown under a field while it is valid. */
  help?: Record<string, string>;
  /** Change it when the form starts over (another record opened, the dialog reopened): errors hide again. */
  resetKey?: unknown;
}

export interface FieldProps {
  error: boolean;
  helperText: string | undefined;
}

export interface ContractForm<T> {
  /** True when the input passes the contract's schema and the router has not refused it. */
  valid: boolean;
  /** The parsed input (defaults filled in) when valid. */
  data: T | undefined;
  /** The plain-words error for a field, once the operator has changed it or tried to send. */
  errorOf(path: string): string | undefined;
  /** `error` and `helperText` for an MUI TextField. */
  field(path: string): FieldProps;
  /** Issues no labelled field shows (the form as a whole), in plain words. */
  formErrors: string[];
  /** Shows every error, touched or not (call when the operator tries to send an invalid form). */
  reveal(): void;
  /**
   * Takes a failed call: a refusal of the input is put on its fields and undefined comes back; any other
   * failure comes back unchanged, for the banner.
   */
  absorb(failure: OpsFailure | undefined): OpsFailure | undefined;
}

/** Humanises a path no label names: "appPostgres.port" → "App postgres port". */
export function labelForPath(path: string): string {
  const words = path
    .split('.')
    .filter((p) => !/^\d+$/.test(p))
    .join(' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : 'This form';
}

/** The labelled field an issue belongs to: its own path or the closest labelled parent. */
function owner(path: string, labels: Record<string, string>): string | undefined {
  const parts = path.split('.');
  for (let n = parts.length; n > 0; n--) {
    const candidate = parts.slice(0, n).join('.');
    if (candidate in labels) return candidate;
  }
  return undefined;
}

/** Words every issue of a list: label from the owning field, the value from `given` when the form has it. */
export function describeIssues(
  issues: FieldIssue[],
  labels: Record<string, string>,
  given: Record<string, unknown> = {},
): Array<{ field: string | undefined; text: string }> {
  return issues.map((issue) => {
    const field = owner(issue.path, labels);
    // An issue about the whole input needs no subject: its words say what is wrong.
    const label = field ? (labels[field] as string) : issue.path ? labelForPath(issue.path) : '';
    const raw = issue.path in given ? given[issue.path] : field === issue.path ? given[field] : undefined;
    return { field, text: describeIssue(issue, label, raw) };
  });
}

export function useContractForm<S extends z.ZodType>(
  schema: S,
  input: unknown,
  options: ContractFormOptions,
): ContractForm<z.output<S>> {
  const { labels, given = {}, help = {}, resetKey } = options;
  const key = JSON.stringify(input ?? null) ?? '';
  // What the fields held when the form (re)started: a field shows its error once it differs from this.
  // A field stays touched once it has differed, even when emptied again (an emptied field says it is required).
  const first = useRef<
    { resetKey: unknown; values: Record<string, string>; touched: Set<string> } | undefined
  >(undefined);
  const [revealed, setRevealed] = useState(false);
  if (!first.current || first.current.resetKey !== resetKey) {
    first.current = {
      resetKey,
      values: Object.fromEntries(Object.entries(given).map(([k, v]) => [k, JSON.stringify(v) ?? ''])),
      touched: new Set(),
    };
    if (revealed) setRevealed(false);
  }
  const [refusal, setRefusal] = useState<{ key: string; issues: FieldIssue[] } | undefined>();

  const parsed = useMemo(() => schema.safeParse(input, { reportInput: true }), [schema, key]); // eslint-disable-line react-hooks/exhaustive-deps
  // A refusal stands until the operator changes the input it was about.
  const serverIssues = refusal && refusal.key === key ? refusal.issues : [];
  const clientIssues = parsed.success ? [] : fromZodIssues(parsed.error.issues as never);
  const worded = describeIssues([...clientIssues, ...serverIssues], labels, given);

  const start = first.current;
  for (const [path, value] of Object.entries(given))
    if ((JSON.stringify(value) ?? '') !== start.values[path]) start.touched.add(path);
  const changed = (path: string) => revealed || serverIssues.length > 0 || start.touched.has(path);
  const errorOf = (path: string) => {
    if (!changed(path)) return undefined;
    return worded.find((w) => w.field === path)?.text;
  };
  const anyChanged = revealed || Object.keys(given).some(changed);
  return {
    valid: parsed.success && serverIssues.length === 0,
    data: parsed.success ? (parsed.data as z.output<S>) : undefined,
    errorOf,
    field(path) {
      const error = errorOf(path);
      return { error: Boolean(error), helperText: error ?? help[path] };
    },
    formErrors: anyChanged ? worded.filter((w) => w.field === undefined).map((w) => w.text) : [],
    reveal: () => setRevealed(true),
    absorb(failure) {
      const issues = fromFailure(failure);
      if (issues.length === 0) return failure;
      setRefusal({ key, issues });
      return undefined;
    },
  };
}
