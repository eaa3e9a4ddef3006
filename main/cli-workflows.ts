// Headless commands for the worker and test cycles: `ops-console worker …`, `cycle …`, `demo-data`.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { PHASE_IDS, type PhaseId } from './api';
import { OpsError } from './api';
import type { WiredConsole } from './console';
import { findRunningConsole } from './control';
import { registerHumanStepCommands } from './cli-human-steps';

type MakeConsole = (mode?: 'cli' | 'browser') => WiredConsole;

function pidFile(ops: WiredConsole): string {
  return path.join(ops.dataDir, 'worker.pid');
}

function livePid(file: string): number | undefined {
  if (!fs.existsSync(file)) return undefined;
  const pid = Number(fs.readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

function numbers(text: string, what: string): number[] {
  const list = text.split(',').map((t) => Number(t.trim()));
  if (list.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new OpsError(
      'INVALID_INPUT',
      `${what} must be positive whole numbers separated by commas, not "${text}".`,
      'For example: --reports 1,2,3',
    );
  }
  return list;
}

function phases(text: string | undefined): PhaseId[] {
  if (!text) return [];
  const list = text.split(',').map((t) => t.trim());
  const bad = list.filter((p) => !(PHASE_IDS as readonly string[]).includes(p));
  if (bad.length) {
    throw new OpsError(
      'INVALID_INPUT',
      `Unknown phase ${bad.join(', ')}.`,
      `Phases are: ${PHASE_IDS.join(', ')}.`,
    );
  }
  return list as PhaseId[];
}

async function done(ops: WiredConsole, output: unknown, json = true): Promise<void> {
  process.stdout.write((json ? JSON.stringify(output, null, 2) : String(output)) + '\n');
  await ops.shutdown();
}

export function registerWorkflowCommands(program: Command, makeConsole: MakeConsole): void {
  const worker = program.command('worker').description('the bundled Temporal worker');
  worker
    .command('start')
    .description(
      'run the worker under supervision in the foreground (restarts it after a crash; Ctrl+C drains it)',
    )
    .action(async () => {
      const ops = makeConsole('cli');
      const running = await findRunningConsole(ops.dataDir);
      if (running) {
        throw new OpsError(
          'CONFLICT',
          `A console runs for this data folder (${running.socket}): it supervises the worker itself.`,
          'Start or stop its worker there (Stack page), or stop that console to run a worker from the CLI.',
        );
      }
      const file = pidFile(ops);
      const other = livePid(file);
      if (other) {
        throw new OpsError(
          'CONFLICT',
          `A worker already runs for this console (pid ${other}).`,
          'Stop it with `ops-console worker stop` first.',
        );
      }
      // Through the router: a locked production profile refuses it, and the audit trail records it.
      const status = await ops.router.invoke('worker.start', {});
      fs.writeFileSync(file, String(process.pid), { mode: 0o600 });
      process.stdout.write(
        `worker ${status.state} on task queue ${status.taskQueue} (supervisor pid ${process.pid})\n`,
      );
      const stop = async (signal: string) => {
        process.stderr.write(`${signal}: draining the worker…\n`);
        await ops.shutdown();
        fs.rmSync(file, { force: true });
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
    });
  worker
    .command('stop')
    .description('drain and stop the worker started with `worker start`')
    .action(async () => {
      const ops = makeConsole('cli');
      const file = pidFile(ops);
      // Through the router first (this process runs no worker): the production lock and the audit trail apply.
      await ops.router.invoke('worker.stop', {});
      const pid = livePid(file);
      if (!pid) {
        fs.rmSync(file, { force: true });
        process.stdout.write('no worker is running for this console\n');
        return;
      }
      process.kill(pid, 'SIGTERM');
      const until = Date.now() + 30_000;
      while (livePid(file) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      if (livePid(file))
        throw new OpsError(
          'TIMEOUT',
          `The worker (pid ${pid}) did not stop within 30 s.`,
          `Stop it by hand: kill ${pid}`,
        );
      process.stdout.write('worker stopped\n');
    });
  worker
    .command('status')
    .description('whether a worker runs for this console, and who polls the task queue')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const ops = makeConsole('cli');
      const pid = livePid(pidFile(ops));
      const settings = ops.settings.get();
      let pollers: number | string = 'unknown (Temporal does not answer)';
      try {
        const client = await ops.cycles.client();
        const response = await client.workflowService.describeTaskQueue({
          namespace: settings.temporal.namespace,
          taskQueue: { name: settings.temporal.taskQueue },
          taskQueueType: 1, // workflow
        });
        pollers = response.pollers?.length ?? 0;
      } catch {
        // reported as unknown
      }
      const status = { running: pid !== undefined, pid, taskQueue: settings.temporal.taskQueue, pollers };
      await done(
        ops,
        opts.json
          ? status
          : `worker ${pid ? `running (pid ${pid})` : 'not running here'}; task queue ${status.taskQueue}: ${pollers} poller(s)`,
        Boolean(opts.json),
      );
    });

  worker
    .command('replay-check')
    .description(
      'replay the running and most recent cycles against a workflow bundle (default: the one the worker runs)',
    )
    .option('--bundle <path>', 'a workflow bundle file to check before rolling it out')
    .option('--last <n>', 'besides the running cycles, the N most recent others', '20')
    .option('--json', 'print JSON')
    .action(async (opts: { bundle?: string; last: string; json?: boolean }) => {
      const ops = makeConsole('cli');
      const last = Number(opts.last);
      if (!Number.isInteger(last) || last < 0) {
        throw new OpsError(
          'INVALID_INPUT',
          `--last must be a whole number, not "${opts.last}".`,
          'For example: --last 20',
        );
      }
      const report = await ops.router.invoke('worker.replayCheck', {
        last,
        ...(opts.bundle ? { bundlePath: opts.bundle } : {}),
      });
      if (opts.json) {
        process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      } else {
        const lines = [
          `bundle ${report.bundle}: ${report.passed ? 'every cycle replays' : 'NOT SAFE to roll out'}`,
        ];
        for (const r of report.results) {
          const at = r.firstMismatch
            ? ` at event ${r.firstMismatch.eventId} (${r.firstMismatch.eventType} ${r.firstMismatch.detail})`
            : '';
          lines.push(`  ${r.workflowId.padEnd(24)} ${r.status.padEnd(10)} ${r.outcome}${at}`);
        }
        process.stdout.write(lines.join('\n') + '\n');
      }
      await ops.shutdown();
      if (!report.passed) process.exitCode = 3;
    });

  const cycle = program.command('cycle').description('start, signal, cancel and follow test cycles');
  cycle
    .command('start')
    .description('start the 8-phase TestCycleWorkflow for a cycle (idempotent on the cycle id)')
    .requiredOption('--cycle <id>', 'the test cycle id')
    .requiredOption('--reports <ids>', 'report ids, comma-separated')
    .option('--skip <phases>', `phases to skip, comma-separated (${PHASE_IDS.join(', ')})`)
    .option('--auto-approve', 'approve the human steps automatically (unattended run)')
    .option(
      '--wait-for-operator',
      'a phase that fails for good waits for `cycle decide` instead of ending the cycle',
    )
    .action(
      async (opts: {
        cycle: string;
        reports: string;
        skip?: string;
        autoApprove?: boolean;
        waitForOperator?: boolean;
      }) => {
        const ops = makeConsole('cli');
        const [cycleId] = numbers(opts.cycle, '--cycle');
        const result = await ops.router.invoke('workflows.start', {
          cycleId: cycleId!,
          reportIds: numbers(opts.reports, '--reports'),
          skipPhases: phases(opts.skip),
          ...(opts.autoApprove ? { autoApprove: true } : {}),
          ...(opts.waitForOperator ? { waitForOperator: true } : {}),
        });
        await done(ops, result);
      },
    );
  registerHumanStepCommands(cycle, makeConsole);
  cycle
    .command('signal <workflowId> <signal>')
    .description(
      'raw use: send a signal (approveScope, rfiResponse, testResult) with --payload JSON, fire-and-forget; a step the cycle does not wait for is dropped',
    )
    .requiredOption('--payload <json>', 'for example \'{"approved":true,"by":"qa-lead"}\'')
    .action(async (workflowId: string, signal: string, opts: { payload: string }) => {
      const ops = makeConsole('cli');
      let payload: unknown;
      try {
        payload = JSON.parse(opts.payload);
      } catch {
        throw new OpsError(
          'INVALID_INPUT',
          '--payload is not valid JSON.',
          'Quote it for your shell, for example --payload \'{"result":"pass"}\'',
        );
      }
      const result = await ops.router.call('workflows.signal', { workflowId, signal, payload });
      if (!result.ok) throw OpsError.from(result.error);
      await done(ops, result.result);
    });
  cycle
    .command('cancel <workflowId>')
    .description('cancel a cycle: its completed phases are compensated in reverse')
    .requiredOption(
      '--reason <text>',
      'why (kept in the cancel request, the compensation ledger and the audit)',
    )
    .option('--by <name>', 'who cancels', 'operator')
    .action(async (workflowId: string, opts: { reason: string; by: string }) => {
      const ops = makeConsole('cli');
      await done(
        ops,
        await ops.router.invoke('workflows.cancel', { workflowId, reason: opts.reason, by: opts.by }),
      );
    });
  cycle
    .command('progress <workflowId>')
    .description("print each phase's state")
    .option('--json', 'print JSON')
    .action(async (workflowId: string, opts: { json?: boolean }) => {
      const ops = makeConsole('cli');
      const p = await ops.router.invoke('workflows.progress', { workflowId });
      if (opts.json) return done(ops, p);
      const lines = [
        `${p.workflowId}: ${p.status}${p.waitingFor.length ? ` (waiting for ${p.waitingFor.join(', ')})` : ''}`,
      ];
      for (const ph of p.phases)
        lines.push(`  ${ph.phase.padEnd(28)} ${ph.state}${ph.lastFailure ? ` — ${ph.lastFailure}` : ''}`);
      await done(ops, lines.join('\n'), false);
    });

  cycle
    .command('decide <workflowId> <decision>')
    .description(
      'for a cycle that needs attention: retry (after fixing the data), skip (where allowed) or abandon',
    )
    .requiredOption('--by <name>', 'who decides (recorded with the decision)')
    .option('--note <text>', 'why')
    .action(async (workflowId: string, decision: string, opts: { by: string; note?: string }) => {
      const ops = makeConsole('cli');
      const result = await ops.router.call('workflows.decide', {
        workflowId,
        decision,
        by: opts.by,
        note: opts.note,
      });
      if (!result.ok) throw OpsError.from(result.error);
      await done(ops, result.result);
    });

  const compensation = program.command('compensation').description('failed compensations: retry or resolve');
  compensation
    .command('retry <workflowId> <phase>')
    .description(
      'run a failed compensation again (and the ones it held back); it turns done when it succeeds',
    )
    .action(async (workflowId: string, phase: string) => {
      const ops = makeConsole('cli');
      const result = await ops.router.call('compensation.retry', { workflowId, phase });
      if (!result.ok) throw OpsError.from(result.error);
      await done(ops, result.result);
    });
  compensation
    .command('resolve <workflowId> <phase>')
    .description('mark a failed compensation resolved by hand, with a note of what was done')
    .requiredOption('--note <text>', 'what was done')
    .action(async (workflowId: string, phase: string, opts: { note: string }) => {
      const ops = makeConsole('cli');
      const result = await ops.router.call('compensation.resolve', { workflowId, phase, note: opts.note });
      if (!result.ok) throw OpsError.from(result.error);
      await done(ops, result.result);
    });

  program
    .command('demo-data')
    .description('load demo reports (each with a reachable data owner) into the app DB')
    .option('--reports <n>', 'how many', '3')
    .action(async (opts: { reports: string }) => {
      const ops = makeConsole('cli');
      await done(ops, await ops.router.invoke('workflows.createDemoData', { reports: Number(opts.reports) }));
    });
}
