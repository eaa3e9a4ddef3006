// Counts as an operator reads them: "1 cycle", "2 cycles", "1 retry", "3 retries". Pure.

const IRREGULAR: Record<string, string> = { entry: 'entries', retry: 'retries', process: 'processes' };

/** The plural of an English noun the console counts (the few irregular ones are listed). */
export function pluralOf(noun: string): string {
  return IRREGULAR[noun] ?? `${noun}s`;
}

/** `count noun`, the noun in the plural unless the count is exactly 1; `plural` names an irregular form. */
export function pluralize(count: number, noun: string, plural = pluralOf(noun)): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? noun : plural}`;
}
