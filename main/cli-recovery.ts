// Headless point-in-time recovery: `ops-console archive status|base-backup`, `ops-console recover --to TIME`.
import type { Command } from 'commander';
import { OpsError } from './api';
import type { WiredConsole } from './console';

type MakeConsole = () => WiredConsole;

export function registerRecoveryCommands(program: Command, makeConsole: MakeConsole): void {
  const archive = program.command('archive').description('continuous WAL archiving of both databases');
  archive
    .command('status')
    .description('last archived segment, lag, failures, size and oldest recoverable moment per cluster')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const ops = makeConsole();
      const status = await ops.router.invoke('recovery.status', {});
      if (opts.json) process.stdout.write(JSON.stringify(status, null, 2) + '\n');
      else
        for (const s of status)
          process.stdout.write(
            `${s.cluster.padEnd(18)} ${s.enabled ? 'archiving' : 'off'}; last ${s.lastArchivedWal ?? '—'} at ${s.lastArchivedAt ?? '—'}; ` +
              `lag ${s.lagSegments ?? '?'} segment(s); ${(s.archiveBytes / 1e6).toFixed(1)} MB; ${s.baseBackups} base backup(s); ` +
              `oldest recoverable ${s.oldestRecoverable ?? '—'}${s.problem ? `\n  problem: ${s.problem}` : ''}\n`,
          );
      await ops.shutdown();
    });
  archive
    .command('base-backup')
    .description('take a base backup of both clusters now (old ones pruned by the retention rule)')
    .action(async () => {
      const ops = makeConsole();
      process.stdout.write(
        JSON.stringify(await ops.router.invoke('recovery.baseBackup', {}), null, 2) + '\n',
      );
      await ops.shutdown();
    });

  program
    .command('recover')
    .description('recover both databases to the same moment from base backups and the WAL archive')
    .requiredOption('--to <time>', 'the moment, as an ISO date and time (e.g. 2026-11-25T14:02:59Z)')
    .option('--exclusive', 'stop just before a transaction committed exactly at that moment')
    .option('--yes', 'replace both databases (their current folders are kept aside)')
    .action(async (opts: { to: string; exclusive?: boolean; yes?: boolean }) => {
      const ops = makeConsole();
      if (Number.isNaN(Date.parse(opts.to))) {
        throw new OpsError(
          'INVALID_INPUT',
          `--to "${opts.to}" is not a date and time.`,
          'Write it as ISO 8601, for example 2026-11-25T14:02:59Z.',
        );
      }
      const plan = await ops.router.invoke('recovery.check', { to: opts.to });
      for (const c of plan.clusters)
        process.stdout.write(
          `${c.ok ? '✓' : '✗'} ${c.cluster}: ${c.ok ? `from base backup ${c.baseBackup}` : c.reason}\n`,
        );
      if (!plan.ok)
        throw new OpsError(
          'INVALID_INPUT',
          'Both databases cannot reach that moment; nothing was changed.',
          'Run `ops-console archive status` and pick a covered moment.',
        );
      if (!opts.yes) {
        process.stdout.write(
          'This replaces the app DB and the Temporal DB with their state at that moment. Run again with --yes.\n',
        );
        process.exitCode = 1;
        return ops.shutdown();
      }
      const result = await ops.router.invoke('recovery.recover', {
        to: opts.to,
        inclusive: !opts.exclusive,
        confirm: true,
      });
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      await ops.shutdown();
    });
}
