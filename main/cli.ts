// The headless entry: browser mode, stack control, diagnostics. `ops-console --help` lists it all.
import path from 'node:path';
import { Command, Option } from 'commander';
import { createConsole, CONSOLE_VERSION, type OpsConsole } from './console';
import { OpsError, toErrorShape } from './api/errors';
import type { OperationName, OpInput, OpOutput } from './api/contract';
import { startBrowserServer } from './transport';
import { projectRoot } from './settings';

interface GlobalOptions {
  home?: string;
  verbose?: boolean;
}

function makeConsole(program: Command, mode: 'cli' | 'browser' = 'cli'): OpsConsole {
  const { home, verbose } = program.opts<GlobalOptions>();
  return createConsole({
    mode,
    dataDir: home,
    echoLogs: verbose || mode === 'browser' ? (l) => process.stderr.write(`${l.ts} ${l.source} ${l.level}: ${l.message}\n`) : undefined,
  });
}

async function call<K extends OperationName>(ops: OpsConsole, op: K, input: OpInput<K>): Promise<OpOutput<K>> {
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
  const port = options.port === undefined ? 0 : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new OpsError('INVALID_INPUT', `--port must be a whole number from 0 to 65535, not "${options.port}".`, 'Use 0 for any free port.');
  }
  const server = await startBrowserServer({
    router: ops.router,
    staticDir: path.join(projectRoot(), 'dist', 'renderer'),
    port,
    onLog: (m) => ops.log('transport').warn(m),
  });
  process.stdout.write(`Ops Console is serving at ${server.url}\n`);
  process.stdout.write('Open that address in a browser on this machine; the token in it is required. Ctrl+C stops.\n');
  runUntilSignal(ops, () => server.close());
  if (options.stack) {
    try {
      await call(ops, 'stack.start', {});
      process.stdout.write('The embedded stack is running.\n');
    } catch (err) {
      const e = toErrorShape(err);
      process.stderr.write(`The stack did not start: ${e.message}\n  what to do: ${e.hint}\n`);
    }
  }
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('ops-console')
    .description('Operations console for a Temporal + PostgreSQL stack (headless and browser mode).')
    .version(CONSOLE_VERSION)
    .addOption(new Option('--home <dir>', 'data folder of the console (default: $OPS_CONSOLE_HOME or ~/.local/share/ops-console)'))
    .option('-v, --verbose', 'print the console log to stderr')
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
    .description('print what this console is and where it keeps its data')
    .action(async () => {
      const ops = makeConsole(program);
      process.stdout.write(JSON.stringify(await call(ops, 'app.info', {}), null, 2) + '\n');
    });

  return program;
}

const isEntry = process.argv[1] && /cli\.(m?js|ts)$/.test(process.argv[1]);
if (isEntry) {
  buildProgram()
    .parseAsync(process.argv)
    .catch(fail);
}
