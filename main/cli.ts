// The headless entry: browser mode, stack control, diagnostics. `ops-console --help` lists it all.
import { Command, Option } from 'commander';
import { createConsole, CONSOLE_VERSION, type OpsConsole, type WiredConsole } from './console';
import { registerWorkflowCommands } from './cli-workflows';
import { registerRecoveryCommands } from './cli-recovery';
import { registerProfileCommands } from './cli-profiles';
import { OpsError, toErrorShape } from './api';
import type { OperationName, OpInput, OpOutput, ServiceId } from './api';
import { startBrowserServer } from './transport';
import { shippedResources } from './resources';
import { describeFoundStack, validateConfig } from './stack';
import { addBackupCommands } from './cli-backup';
import { installLastResortGuard } from './last-resort';
import { findRunningConsole, forwardToRunningConsole, startControlSocket } from './control';
import { registerLogCommands } from './cli-logs';
import { registerNamespaceCommands } from './cli-namespaces';
import { printStartSteps, terminalEcho } from './cli-progress';

interface GlobalOptions {
  home?: string;
  profile?: string;
  verbose?: boolean;
}

function makeConsole(program: Command, mode: 'cli' | 'browser' = 'cli'): WiredConsole {
  const { home, verbose, profile } = program.opts<GlobalOptions>();
  const ops = createConsole({
    mode,
    dataDir: home,
    profile: profile ?? process.env.OPS_PROFILE,
    echoLogs: verbose || mode === 'browser' ? terminalEcho(Boolean(verbose)) : undefined,
  });
  // One installation, one console: while the app (or serve/up) runs for this data folder, the CLI acts through
  // it. A --profile for this one command is this process's own view, so it acts alone.
  if (mode === 'cli' && !profile && !process.env.OPS_PROFILE)
    forwardToRunningConsole(ops.router, ops.dataDir);
  return ops;
}

async function call<K extends OperationName>(
  ops: OpsConsole,
  op: K,
  input: OpInput<K>,
): Promise<OpOutput<K>> {
  return ops.router.invoke(op, input);
}

function fail(err: unknown): never {
  const shape = toErrorShape(err);
  process.stderr.write(`error ${shape.code}: ${shape.message}\n  what to do: ${shape.hint}\n`);
  process.exit(shape.code === 'INVALID_INPUT' ? 2 : 1);
}

/** Keeps the process up until a signal, then shuts the console down (no orphaned children). */
function runUntilSignal(ops: OpsConsole, onStop: () => Promise<void>): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${signal}: stopping the console…\n`);
    await onStop().catch(() => undefined);
    await ops.shutdown();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

async function serve(program: Command, options: { port?: string; stack?: boolean }): Promise<void> {
  const ops = makeConsole(program, 'browser');
  installLastResortGuard((m) => ops.log('console').error(m));
  const port = options.port === undefined ? 0 : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new OpsError(
      'INVALID_INPUT',
      `--port must be a whole number from 0 to 65535, not "${options.port}".`,
      'Use 0 for any free port.',
    );
  }
  const server = await startBrowserServer({
    router: ops.router,
    staticDir: shippedResources().rendererDir,
    port,
    onLog: (m) => ops.log('transport').warn(m),
  });
  const control = await startControlSocket({
    router: ops.router,
    dataDir: ops.dataDir,
    onLog: (m) => ops.log('console').warn(m),
  });
  const printAddress = () => {
    process.stdout.write(`Ops Console is serving at ${server.url}\n`);
    process.stdout.write(
      'Open that address in a browser on this machine; the token in it is required. Ctrl+C stops.\n',
    );
  };
  let adopted = false;
  runUntilSignal(ops, async () => {
    await control?.close();
    await server.close();
    // A stack found running without its console was adopted: it goes with this console, as if it had started it.
    if (adopted) await call(ops, 'stack.stop', {}).catch(() => undefined);
  });
  if (!options.stack) return printAddress();
  // The address comes once the stack is ready, so the first page the operator opens shows it running.
  process.stdout.write('Starting the embedded stack…\n');
  const unsubscribe = printStartSteps(ops, (text) => process.stdout.write(text));
  try {
    const found = describeFoundStack(await call(ops, 'stack.status', {}), 'up');
    if (found) {
      adopted = true;
      process.stdout.write(`${found}\n`);
      ops.log('stack').warn(found);
    }
    const status = await call(ops, 'stack.start', {});
    process.stdout.write(`The embedded stack is ${status.state}.\n`);
  } catch (err) {
    const e = toErrorShape(err);
    process.stderr.write(`The stack did not start: ${e.message}\n  what to do: ${e.hint}\n`);
  } finally {
    unsubscribe();
  }
  printAddress();
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('ops-console')
    .description('Operations console for a Temporal + PostgreSQL stack (headless and browser mode).')
    .version(CONSOLE_VERSION)
    .addOption(
      new Option(
        '--home <dir>',
        'data folder of the console (default: $OPS_CONSOLE_HOME or ~/.local/share/ops-console)',
      ),
    )
    .option('--profile <name>', 'connection profile to use in this command (default: the saved choice)')
    .option('-v, --verbose', "print every log line to stderr, the services' and the worker's included")
    .showHelpAfterError();

  program
    .command('serve')
    .description('browser mode: serve the console on 127.0.0.1 and print its address with the access token')
    .option('-p, --port <port>', 'port to listen on (default: any free port)')
    .action((opts: { port?: string }) => serve(program, opts).catch(fail));

  program
    .command('up')
    .description('start the embedded stack and serve the console (browser mode)')
    .option('-p, --port <port>', 'port to listen on (default: any free port)')
    .action((opts: { port?: string }) => serve(program, { ...opts, stack: true }).catch(fail));

  program
    .command('info')
    .description(
      'print what this console is, where it keeps its data, and whether the CLI acts through a running console',
    )
    .action(async () => {
      const ops = makeConsole(program);
      const info = await call(ops, 'app.info', {});
      const running = await findRunningConsole(ops.dataDir);
      const cli = running
        ? {
            actsThrough: 'running console',
            socket: running.socket,
            consolePid: info.pid,
            consoleMode: info.mode,
          }
        : { actsThrough: 'alone', reason: 'no console runs for this data folder' };
      process.stdout.write(JSON.stringify({ ...info, cli }, null, 2) + '\n');
    });

  const stack = program.command('stack').description('start, stop and inspect the stack');
  stack
    .command('up')
    .description('start every service of the stack and leave it running')
    .action(async () => {
      const ops = makeConsole(program);
      const found = describeFoundStack(await call(ops, 'stack.status', {}), 'stack up');
      if (found) process.stdout.write(`${found}\n`);
      const status = await call(ops, 'stack.start', {});
      printStatus(status);
    });
  stack
    .command('reset-password <cluster>')
    .description(
      "give the console's role on app-postgres or temporal-postgres a new password when the stored one is lost (the stack stops; data kept)",
    )
    .requiredOption('--confirm <text>', 'type "reset <cluster>" to confirm')
    .action(async (cluster: string, opts: { confirm: string }) => {
      const ops = makeConsole(program);
      const done = await call(ops, 'stack.resetPassword', {
        cluster: cluster as 'app-postgres',
        confirm: opts.confirm,
      });
      process.stdout.write(
        `${done.cluster}: new password set and stored. Start the stack: ops-console stack up\n`,
      );
    });
  stack
    .command('down')
    .description('stop every service of the stack gracefully; data is kept')
    .action(async () => {
      const ops = makeConsole(program);
      printStatus(await call(ops, 'stack.stop', {}));
    });
  stack
    .command('restart [service]')
    .description(
      'restart the whole stack, or one service: app-postgres, temporal-postgres, temporal, temporal-ui',
    )
    .action(async (service: string | undefined) => {
      const ops = makeConsole(program);
      printStatus(
        service === undefined
          ? await call(ops, 'stack.restart', {})
          : await call(ops, 'stack.restartService', { service: service as ServiceId }),
      );
    });
  stack
    .command('status')
    .description("print each service's state")
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const ops = makeConsole(program);
      const status = await call(ops, 'stack.status', {});
      if (opts.json) process.stdout.write(JSON.stringify(status, null, 2) + '\n');
      else printStatus(status);
    });

  program
    .command('doctor')
    .description(
      'deployment validation: ports, PostgreSQL, Temporal schema, gRPC health, namespace, integration; exits non-zero when a check failed',
    )
    .option('--json', 'print the report as JSON')
    .option('--no-integration', 'skip starting a trivial workflow')
    .action(async (opts: { json?: boolean; integration: boolean }) => {
      const ops = makeConsole(program);
      const report = await call(ops, 'stack.validate', { integration: opts.integration });
      if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else printReport(report);
      process.exitCode = report.overall === 'failed' ? 1 : 0;
    });

  registerWorkflowCommands(program, (mode) => makeConsole(program, mode));
  registerRecoveryCommands(program, () => makeConsole(program));
  registerProfileCommands(program, () => makeConsole(program));

  const config = program.command('config').description('the console settings');
  config
    .command('validate')
    .description('check the settings file, ports, binaries and data folder, and report problems precisely')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const problems = await validateConfig(program.opts<GlobalOptions>().home);
      if (opts.json)
        process.stdout.write(JSON.stringify({ ok: problems.length === 0, problems }, null, 2) + '\n');
      else if (problems.length === 0) process.stdout.write('Configuration valid.\n');
      else for (const p of problems) process.stdout.write(`✗ ${p.where}: ${p.problem}\n    fix: ${p.fix}\n`);
      process.exitCode = problems.length === 0 ? 0 : 1;
    });

  addBackupCommands(program, () => makeConsole(program));
  registerLogCommands(program, () => makeConsole(program));
  registerNamespaceCommands(program, () => makeConsole(program));

  return program;
}

function printStatus(status: OpOutput<'stack.status'>): void {
  process.stdout.write(`stack ${status.state} (${status.provider})\n`);
  for (const s of status.services) {
    const extra = [s.port ? `port ${s.port}` : '', s.version ?? '', s.pid ? `pid ${s.pid}` : '']
      .filter(Boolean)
      .join(', ');
    process.stdout.write(`  ${s.label.padEnd(22)} ${s.state.padEnd(9)} ${extra}\n`);
  }
  if (status.error)
    process.stdout.write(`  error: ${status.error.message}\n  what to do: ${status.error.hint}\n`);
}

function printReport(report: OpOutput<'stack.validate'>): void {
  const mark = { healthy: '✓', degraded: '!', failed: '✗', off: '-', skipped: '-' } as const;
  for (const c of report.checks) {
    process.stdout.write(`${mark[c.status]} ${c.group.padEnd(18)} ${c.label}: ${c.detail}\n`);
    if (c.fix && c.status !== 'healthy' && c.status !== 'off') process.stdout.write(`    fix: ${c.fix}\n`);
  }
  process.stdout.write(`overall: ${report.summary ?? report.overall}\n`);
}

const isEntry = process.argv[1] && /cli\.(m?js|ts)$/.test(process.argv[1]);
if (isEntry) {
  buildProgram().parseAsync(process.argv).catch(fail);
}
