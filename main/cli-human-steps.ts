// The human steps from the headless CLI: `cycle approve-scope`, `cycle answer-rfi`, `cycle record-results` and
// `cycle waiting`. Each goes through the same validated step as the console's buttons: a step the cycle does not
// wait for is refused with the same message and a non-zero exit.
import type { Command } from 'commander';
import { OpsError } from './api';
import type { WiredConsole } from './console';
import { stepRefused } from './temporal';
import { outOfOrderMessage } from '../shared/human-step-rules';

type MakeConsole = (mode?: 'cli' | 'browser') => WiredConsole;

async function print(ops: WiredConsole, output: unknown): Promise<void> {
  process.stdout.write(JSON.stringify(output, null, 2) + '\n');
  await ops.shutdown();
}

function ids(text: string, what: string): number[] {
  const list = text.split(',').map((t) => Number(t.trim()));
  if (list.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new OpsError(
      'INVALID_INPUT',
      `${what} must be positive whole numbers separated by commas, not "${text}".`,
      'For example: --reports 2,3',
    );
  }
  return list;
}

/** `12=pass,13=fail` → results. */
function results(text: string): Array<{ executionId: number; result: 'pass' | 'fail' }> {
  return text.split(',').map((pair) => {
    const [id, result] = pair.split('=').map((t) => t.trim());
    const executionId = Number(id);
    if (!Number.isInteger(executionId) || executionId <= 0 || (result !== 'pass' && result !== 'fail')) {
      throw new OpsError(
        'INVALID_INPUT',
        `"${pair}" is not an execution id and a result.`,
        'Write each as ID=pass or ID=fail, for example --results 12=pass,13=fail (or --all pass).',
      );
    }
    return { executionId, result };
  });
}

function passOrFail(text: string): 'pass' | 'fail' {
  if (text !== 'pass' && text !== 'fail')
    throw new OpsError(
      'INVALID_INPUT',
      `--all takes pass or fail, not "${text}".`,
      'For example: --all pass',
    );
  return text;
}

export function registerHumanStepCommands(cycle: Command, makeConsole: MakeConsole): void {
  cycle
    .command('waiting <workflowId>')
    .description('what the cycle waits for, with the open RFIs or executions a step may name')
    .action(async (workflowId: string) => {
      const ops = makeConsole('cli');
      await print(ops, await ops.router.invoke('workflows.stepContext', { workflowId }));
    });
  cycle
    .command('approve-scope <workflowId>')
    .description('approve (or --reject) the proposed scope; accepted only while the cycle waits for it')
    .requiredOption('--by <name>', 'who decides')
    .option('--reject', 'reject the scope (the cycle fails and compensates)')
    .option('--note <text>', 'a note kept with the decision')
    .action(async (workflowId: string, opts: { by: string; reject?: boolean; note?: string }) => {
      const ops = makeConsole('cli');
      const outcome = await ops.router.invoke('workflows.approveScope', {
        workflowId,
        approved: !opts.reject,
        by: opts.by,
        ...(opts.note ? { note: opts.note } : {}),
      });
      await print(ops, outcome);
    });
  cycle
    .command('answer-rfi <workflowId>')
    .description('record the answer to open RFIs (--reports, or every open one with --all-open)')
    .requiredOption('--by <name>', 'who records the answer')
    .requiredOption('--answer <text>', 'the answer')
    .option('--reports <ids>', 'the reports whose RFIs it answers, comma-separated')
    .option('--all-open', 'answer every RFI still open')
    .action(
      async (
        workflowId: string,
        opts: { by: string; answer: string; reports?: string; allOpen?: boolean },
      ) => {
        const ops = makeConsole('cli');
        let reportIds: number[];
        if (opts.reports) reportIds = ids(opts.reports, '--reports');
        else if (opts.allOpen) {
          const context = await ops.router.invoke('workflows.stepContext', { workflowId });
          if (context.waitingFor !== 'rfi_responses')
            throw stepRefused(outOfOrderMessage(context.message, 'rfi_responses'));
          reportIds = context.rfis.map((r) => r.reportId);
        } else {
          throw new OpsError(
            'INVALID_INPUT',
            'Name the RFIs: --reports 2,3 or --all-open.',
            '`cycle waiting ID` lists the open ones.',
          );
        }
        const outcome = await ops.router.invoke('workflows.answerRfi', {
          workflowId,
          by: opts.by,
          answers: reportIds.map((reportId) => ({ reportId, response: opts.answer })),
        });
        await print(ops, outcome);
      },
    );
  cycle
    .command('record-results <workflowId>')
    .description(
      'record test results (--results ID=pass,ID=fail, or --all pass|fail for every open execution)',
    )
    .requiredOption('--by <name>', 'who judged the tests')
    .option('--results <pairs>', 'for example 12=pass,13=fail')
    .option('--all <result>', 'the same result for every execution still open')
    .option('--note <text>', 'a note kept with each result')
    .action(
      async (workflowId: string, opts: { by: string; results?: string; all?: string; note?: string }) => {
        const ops = makeConsole('cli');
        let list: Array<{ executionId: number; result: 'pass' | 'fail' }>;
        if (opts.results) list = results(opts.results);
        else if (opts.all) {
          const result = passOrFail(opts.all);
          const context = await ops.router.invoke('workflows.stepContext', { workflowId });
          if (context.waitingFor !== 'test_results')
            throw stepRefused(outOfOrderMessage(context.message, 'test_results'));
          list = context.executions.map((e) => ({ executionId: e.id, result }));
        } else {
          throw new OpsError(
            'INVALID_INPUT',
            'Give the results: --results 12=pass,13=fail or --all pass.',
            '`cycle waiting ID` lists the open executions.',
          );
        }
        const outcome = await ops.router.invoke('workflows.recordResults', {
          workflowId,
          by: opts.by,
          results: list.map((r) => ({ ...r, ...(opts.note ? { note: opts.note } : {}) })),
        });
        await print(ops, outcome);
      },
    );
}
