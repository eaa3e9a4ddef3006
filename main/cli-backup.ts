// `ops-console backup create|verify|restore|list|reconcile`: the same operations and guards as the Backups page.
import type { Command } from 'commander';
import type { OpsConsole } from './console';
import type { BackupKind, BackupJob, OpOutput } from './api';

function kindsOf(opts: { app?: boolean; temporal?: boolean }): BackupKind[] | undefined {
  const kinds: BackupKind[] = [];
  if (opts.app) kinds.push('app');
  if (opts.temporal) kinds.push('temporal');
  return kinds.length ? kinds : undefined;
}

/** Prints each job step once, with bytes when known, to stderr. */
function followJobs(ops: OpsConsole): void {
  let last = '';
  ops.router.events.subscribe((name, payload) => {
    if (name !== 'backup.job') return;
    const job = payload as BackupJob;
    const line = `${job.step}${job.database ? ` [${job.database}]` : ''}`;
    if (line === last) return;
    last = line;
    process.stderr.write(`… ${line}\n`);
  });
}

const out = (text: string) => process.stdout.write(text + '\n');
const size = (n: number) => `${(n / 1_048_576).toFixed(1)} MB`;

export function addBackupCommands(program: Command, open: () => OpsConsole): void {
  const backup = program
    .command('backup')
    .description('back up, verify and restore the app DB and the Temporal DB');

  backup
    .command('create')
    .description('back up both databases into one set (or only --app / --temporal)')
    .option('--app', 'the app DB')
    .option('--temporal', 'the Temporal DB (temporal and temporal_visibility)')
    .option('--no-quiesce', 'keep the worker running (the manifest records the skew)')
    .option('--label <text>', 'a note stored with the set')
    .option('-j, --jobs <n>', 'parallel pg_dump jobs', '2')
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        app?: boolean;
        temporal?: boolean;
        quiesce: boolean;
        label?: string;
        jobs: string;
        json?: boolean;
      }) => {
        const ops = open();
        followJobs(ops);
        const set = await ops.router.invoke('backups.create', {
          kinds: kindsOf(opts),
          quiesce: opts.quiesce,
          label: opts.label,
          jobs: Number(opts.jobs),
        });
        if (opts.json) out(JSON.stringify(set, null, 2));
        else out(`backup set ${set.id}: ${set.databases.join(', ')}, ${size(set.bytes)}, in ${set.path}`);
        await ops.shutdown();
      },
    );

  backup
    .command('list')
    .description('list the backup sets, newest first')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const ops = open();
      const sets = await ops.router.invoke('backups.list', {});
      if (opts.json) out(JSON.stringify(sets, null, 2));
      else if (sets.length === 0) out('No backup sets.');
      else
        for (const s of sets)
          out(
            `${s.id.padEnd(40)} ${s.databases.join(',').padEnd(40)} ${size(s.bytes).padStart(10)}  ${
              s.verification ? (s.verification.ok ? 'verified' : 'FAILED verification') : 'not verified'
            }${s.quiesced ? '' : '  (not quiesced)'}`,
          );
      await ops.shutdown();
    });

  backup
    .command('verify <setId>')
    .description(
      'check every file hash with a full read; --trial-restore also restores into scratch databases',
    )
    .option('--trial-restore', 'restore into scratch databases and compare the table checksums')
    .option('--json', 'print JSON')
    .action(async (setId: string, opts: { trialRestore?: boolean; json?: boolean }) => {
      const ops = open();
      followJobs(ops);
      const v = await ops.router.invoke('backups.verify', {
        setId,
        trialRestore: Boolean(opts.trialRestore),
      });
      if (opts.json) out(JSON.stringify(v, null, 2));
      else if (v.ok) out(`${setId}: verified${v.trialRestore ? ' (with a trial restore)' : ''}`);
      else for (const p of v.problems) out(`✗ ${p}`);
      process.exitCode = v.ok ? 0 : 1;
      await ops.shutdown();
    });

  backup
    .command('restore <setId>')
    .description('restore a set: verify, restore into new databases, compare checksums, swap them in')
    .option('--app', 'only the app DB of the set')
    .option('--temporal', 'only the Temporal DB of the set')
    .option('--confirm <databases...>', 'the name of each database to be replaced')
    .option('--json', 'print JSON')
    .action(
      async (
        setId: string,
        opts: { app?: boolean; temporal?: boolean; confirm?: string[]; json?: boolean },
      ) => {
        const ops = open();
        followJobs(ops);
        const kinds = kindsOf(opts);
        const plan = await ops.router.invoke('backups.plan', { setId, kinds });
        process.stderr.write(plan.summary + '\n');
        if (!opts.confirm?.length && !plan.refusals.length) {
          out(
            `Nothing changed. To go ahead, repeat with --confirm ${plan.replaces.map((r) => r.database).join(' ')}`,
          );
          process.exitCode = 2;
          await ops.shutdown();
          return;
        }
        const result = await ops.router.invoke('backups.restore', {
          setId,
          kinds,
          confirm: opts.confirm ?? ['-'],
        });
        if (opts.json) out(JSON.stringify(result, null, 2));
        else printRestore(result);
        await ops.shutdown();
      },
    );

  backup
    .command('reconcile')
    .description('compare the app DB with Temporal: cycles Temporal lost, workflows without tracking rows')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const ops = open();
      const r = await ops.router.invoke('backups.reconcile', {});
      if (opts.json) out(JSON.stringify(r, null, 2));
      else {
        out(r.summary);
        for (const i of r.items) out(`• ${i.detail}\n    fix: ${i.action}`);
      }
      await ops.shutdown();
    });
}

function printRestore(r: OpOutput<'backups.restore'>): void {
  for (const d of r.restored) out(`restored ${d.database} (the previous one is kept as ${d.keptOldAs})`);
  out(
    `${r.checksumsMatched} tables matched the manifest (data file sha256 and row count); stack validation: ${r.validation}`,
  );
  if (r.migrationsApplied.length)
    out(`applied this console's newer migrations: ${r.migrationsApplied.join(', ')}`);
  if (r.reconcile) {
    out(r.reconcile.summary);
    for (const i of r.reconcile.items) out(`• ${i.detail}\n    fix: ${i.action}`);
  }
}
