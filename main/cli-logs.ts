// `ops-console logs`: the log files under <data folder>/logs, as a page, filtered, or followed.
import type { Command } from 'commander';
import { OpsError } from './api';
import type { LogEntry, LogLine } from './api';
import type { WiredConsole } from './console';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** "30s", "10m", "2h", "1d" before now, or an ISO time. */
export function parseSince(value: string, now = Date.now()): string {
  const relative = /^(\d+)\s*(s|m|h|d)$/.exec(value.trim());
  if (relative) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now - Number(relative[1]) * unit).toISOString();
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new OpsError(
      'INVALID_INPUT',
      `--since must be a duration such as 30s, 10m, 2h or 1d, or a time such as 2026-11-30T10:00:00Z, not "${value}".`,
      'Correct --since and try again.',
    );
  return new Date(ms).toISOString();
}

/** `--level warn` means warn and worse, as operators read it. */
export function levelsFrom(value: string | undefined): Array<LogLine['level']> | undefined {
  if (value === undefined) return undefined;
  const at = LEVELS.indexOf(value as (typeof LEVELS)[number]);
  if (at === -1)
    throw new OpsError(
      'INVALID_INPUT',
      `--level must be one of ${LEVELS.join(', ')}, not "${value}".`,
      'Lines at that level and worse are shown.',
    );
  return LEVELS.slice(at);
}

function print(line: LogEntry): void {
  process.stdout.write(`${(line.time ?? '').padEnd(24)} ${line.level.padEnd(5)} ${line.message}\n`);
}

export function registerLogCommands(program: Command, makeConsole: () => WiredConsole): void {
  program
    .command('logs [name]')
    .description(
      'print a log: app-postgres, temporal-postgres, temporal, temporal-ui, worker-N or console (no name: list them)',
    )
    .option('-f, --follow', 'keep printing lines as they are written (Ctrl+C stops)')
    .option('--since <when>', 'lines from then on: 30s, 10m, 2h, 1d or a time')
    .option('--level <level>', 'this level and worse: debug, info, warn, error')
    .option('--grep <text>', 'lines containing the text (case-insensitive unless it has a capital)')
    .option('-n, --lines <n>', 'how many of the last lines', '100')
    .action(
      async (
        name: string | undefined,
        opts: { follow?: boolean; since?: string; level?: string; grep?: string; lines: string },
      ) => {
        const levels = levelsFrom(opts.level);
        const since = opts.since ? parseSince(opts.since) : undefined;
        const limit = Number(opts.lines);
        if (!Number.isInteger(limit) || limit < 1 || limit > 5000)
          throw new OpsError(
            'INVALID_INPUT',
            `--lines must be from 1 to 5000, not "${opts.lines}".`,
            'Correct it.',
          );
        const ops = makeConsole();
        await ops.stack.catchUpLogs().catch(() => undefined);
        if (!name) {
          for (const f of await ops.router.invoke('logs.files', {}))
            process.stdout.write(
              `${f.name.padEnd(20)} ${(f.size / 1024).toFixed(0).padStart(8)} KB  ${f.modifiedAt}${f.rotated.length ? `  +${f.rotated.length} rotated` : ''}\n`,
            );
          return;
        }
        const filter = { name, levels, since, text: opts.grep };
        const page = await ops.router.invoke('logs.read', { ...filter, limit, maxScanMb: 4096 });
        page.lines.forEach(print);
        if (!opts.follow) return;
        let after = page.end;
        for (;;) {
          await new Promise((r) => setTimeout(r, 500));
          await ops.stack.catchUpLogs().catch(() => undefined);
          const next = await ops.router.invoke('logs.read', { ...filter, after, limit: 5000 });
          next.lines.forEach(print);
          after = next.end;
        }
      },
    );
}
