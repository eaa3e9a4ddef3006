// `ops-console namespace list|describe|create|update`: the stack's Temporal namespaces.
import type { Command } from 'commander';
import { OpsError } from './api';
import type { Namespace } from './api';
import type { WiredConsole } from './console';

/** "72h", "3d" or a number of hours. */
export function parseRetention(value: string): number {
  const match = /^(\d+)\s*(h|d)?$/.exec(value.trim());
  if (!match)
    throw new OpsError(
      'INVALID_INPUT',
      `--retention must be hours or days, such as 72h or 3d, not "${value}".`,
      'Temporal keeps closed workflows at least 1 day.',
    );
  return Number(match[1]) * (match[2] === 'd' ? 24 : 1);
}

function print(ns: Namespace): void {
  process.stdout.write(
    `${ns.name.padEnd(28)} ${ns.state.padEnd(11)} retention ${String(ns.retentionHours).padStart(5)} h${ns.inUse ? '  (in use)' : ''}${ns.description ? `  ${ns.description}` : ''}\n`,
  );
}

export function registerNamespaceCommands(program: Command, makeConsole: () => WiredConsole): void {
  const namespace = program.command('namespace').description("the stack's Temporal namespaces");
  const run = async (work: (ops: WiredConsole) => Promise<unknown>) => {
    const ops = makeConsole();
    try {
      await work(ops);
    } finally {
      await ops.shutdown();
    }
  };
  namespace
    .command('list')
    .description('every namespace with its state and retention')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) =>
      run(async (ops) => {
        const list = await ops.router.invoke('namespaces.list', {});
        if (opts.json) process.stdout.write(JSON.stringify(list, null, 2) + '\n');
        else list.forEach(print);
      }),
    );
  namespace
    .command('describe <name>')
    .description('one namespace: id, state, retention, description, owner')
    .action((name: string) =>
      run(async (ops) => {
        process.stdout.write(
          JSON.stringify(await ops.router.invoke('namespaces.describe', { name }), null, 2) + '\n',
        );
      }),
    );
  namespace
    .command('create <name>')
    .description('register a namespace')
    .requiredOption('--retention <time>', 'how long closed workflows are kept: 72h, 3d (at least 1 day)')
    .option('--description <text>', 'what it is for', '')
    .option('--owner-email <email>', 'who owns it', '')
    .action((name: string, opts: { retention: string; description: string; ownerEmail: string }) =>
      run(async (ops) => {
        print(
          await ops.router.invoke('namespaces.create', {
            name,
            retentionHours: parseRetention(opts.retention),
            description: opts.description,
            ownerEmail: opts.ownerEmail,
          }),
        );
      }),
    );
  namespace
    .command('update <name>')
    .description("change a namespace's retention or description")
    .option('--retention <time>', 'how long closed workflows are kept: 72h, 3d (at least 1 day)')
    .option('--description <text>', 'what it is for')
    .action((name: string, opts: { retention?: string; description?: string }) =>
      run(async (ops) => {
        print(
          await ops.router.invoke('namespaces.update', {
            name,
            ...(opts.retention !== undefined ? { retentionHours: parseRetention(opts.retention) } : {}),
            ...(opts.description !== undefined ? { description: opts.description } : {}),
          }),
        );
      }),
    );
}
