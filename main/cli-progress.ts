// What `up` and `serve` print: a line per start step, and of the console's own log only its warnings and errors
// (the services' output goes to their log files; -v prints everything).
import type { LogLine, StartStep, StackStatus } from './api';
import type { OpsConsole } from './console';

/** Sources whose lines are a service's or a worker's own output: files only, unless -v. */
const SERVICE_SOURCES = new Set(['app-postgres', 'temporal-postgres', 'temporal', 'temporal-ui', 'worker']);

export function terminalEcho(verbose: boolean): (line: LogLine) => void {
  return (l) => {
    if (!verbose && (SERVICE_SOURCES.has(l.source) || (l.level !== 'warn' && l.level !== 'error'))) return;
    process.stderr.write(
      verbose ? `${l.ts} ${l.source} ${l.level}: ${l.message}\n` : `${l.level}: ${l.source}: ${l.message}\n`,
    );
  };
}

const MARK: Partial<Record<StartStep['state'], string>> = { done: '✓', failed: '✗', skipped: '-' };

function seconds(step: StartStep): string {
  if (!step.startedAt || !step.finishedAt) return '';
  return ` (${((Date.parse(step.finishedAt) - Date.parse(step.startedAt)) / 1000).toFixed(1)} s)`;
}

/** Prints each start step once, as it finishes; returns the unsubscribe. */
export function printStartSteps(ops: OpsConsole, write: (text: string) => void): () => void {
  const printed = new Set<string>();
  return ops.router.events.subscribe((name, payload) => {
    if (name !== 'stack.status') return;
    for (const step of (payload as StackStatus).steps) {
      const mark = MARK[step.state];
      if (!mark || printed.has(step.id)) continue;
      printed.add(step.id);
      write(`  ${mark} ${step.label}${seconds(step)}${step.detail ? `: ${step.detail}` : ''}\n`);
    }
  });
}
