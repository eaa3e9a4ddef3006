// The operator's worker upgrade: check a workflow bundle against the cycles' histories, and roll it out (the worker
// restarts on it) only when every cycle replays, or when the operator types the override.
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { ROLL_OUT_OVERRIDE } from '../api';
import { OpsError } from '../api';
import type { ConsoleContext, ConsoleModule } from '../context';
import { checkBundleFile, replayCheck } from './replay-check';
import type { WorkerSupervisor } from './supervisor';

const RECORD = 'worker-bundle.json';

/** The bundle rolled out by the operator, if any (else the worker runs the one built with the console). */
export function rolledOutBundle(dataDir: string): string | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(path.join(dataDir, RECORD), 'utf8')) as { bundle?: string };
    return record.bundle && fs.existsSync(record.bundle) ? record.bundle : undefined;
  } catch {
    return undefined;
  }
}

export class ReplayCheckService implements ConsoleModule {
  readonly name = 'replay-check';

  constructor(
    private readonly ctx: ConsoleContext,
    private readonly options: { temporal: () => Promise<Client>; worker: WorkerSupervisor },
  ) {
    ctx.router.register({
      'worker.replayCheck': async (input) =>
        replayCheck(await options.temporal(), {
          bundlePath: input.bundlePath ?? rolledOutBundle(ctx.dataDir),
          last: input.last,
        }),
      'worker.rollOut': (input) => this.rollOut(input.bundlePath, input.override),
    });
  }

  private async rollOut(bundlePath: string, override: string | undefined) {
    const source = checkBundleFile(bundlePath);
    const report = await replayCheck(await this.options.temporal(), { bundlePath: source, last: 20 });
    const failing = report.results.filter((r) => r.outcome !== 'replays');
    if (failing.length && override !== ROLL_OUT_OVERRIDE) {
      throw new OpsError(
        'CONFLICT',
        `${failing.length} cycle(s) do not replay on this bundle (${failing
          .slice(0, 3)
          .map((r) => `${r.workflowId}${r.firstMismatch ? ` at event ${r.firstMismatch.eventId}` : ''}`)
          .join(', ')}); it was not rolled out.`,
        `Fix the workflow code (use patched() for a changed command order), or type "${ROLL_OUT_OVERRIDE}" to roll it out anyway. Nothing was changed.`,
        { report },
      );
    }
    // A copy of its own: rebuilding the source file later does not change what the worker runs.
    const dir = path.join(this.ctx.dataDir, 'worker-bundles');
    fs.mkdirSync(dir, { recursive: true });
    const bundle = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-workflow-bundle.js`);
    fs.copyFileSync(source, bundle);
    fs.writeFileSync(
      path.join(this.ctx.dataDir, RECORD),
      JSON.stringify({ bundle, from: source, at: new Date().toISOString(), overridden: failing.length > 0 }),
    );
    const log = this.ctx.log('worker');
    if (failing.length) log.warn(`rolling out ${source} although ${failing.length} cycle(s) do not replay`);
    else log.info(`rolling out ${source}: every checked cycle replays`);
    if (this.options.worker.current().state !== 'stopped') {
      await this.options.worker.stop();
      await this.options.worker.start();
    }
    return { bundle, report, overridden: failing.length > 0 };
  }
}
