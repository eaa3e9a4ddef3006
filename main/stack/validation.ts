// The stack's validation report: the probes of its own services, then the checks other capabilities add (they
// need more than the stack to judge, e.g. whether the app DB and Temporal agree).
import type { ValidationCheck, ValidationReport } from '../api';
import type { OperationContext } from '../api';
import type { Logger } from '../logs';
import { lostSecretError } from './cluster-passwords';
import { overallOf, skippedProbeCheck, summaryOf, validateStack } from './health';
import type { StackSpec } from './provider';

export type ExtraChecks = (options: { integration: boolean }) => Promise<ValidationCheck[]>;

export class StackValidation {
  private readonly extra: ExtraChecks[] = [];

  add(checks: ExtraChecks): void {
    this.extra.push(checks);
  }

  async run(spec: StackSpec, integration: boolean): Promise<ValidationReport> {
    const lost = lostSecretError(spec);
    if (lost)
      return {
        overall: 'failed',
        checkedAt: new Date().toISOString(),
        checks: [
          {
            id: 'secrets',
            group: 'app-postgres',
            label: 'Cluster passwords',
            status: 'failed',
            detail: lost.message,
            fix: lost.hint,
            durationMs: 0,
          },
        ],
      };
    const report = await validateStack(spec, { integration });
    const extra = (await Promise.all(this.extra.map((c) => c({ integration })))).flat();
    if (!extra.length) return report;
    const checks = [...report.checks, ...extra];
    const overall = overallOf([{ status: report.overall }, ...extra]);
    return { ...report, checks, overall, summary: summaryOf(overall, checks) };
  }

  /** The operator's validation: without its integration probe when the profile in force does not allow it. */
  async forOperator(
    spec: StackSpec,
    integration: boolean,
    probe: OperationContext['probe'],
    log: Logger,
  ): Promise<ValidationReport> {
    if (probe?.allowed !== false) return this.run(spec, integration);
    log.info(`validation without its integration probe: ${probe.reason}`);
    const report = await this.run(spec, false);
    return { ...report, checks: [...report.checks, skippedProbeCheck(probe.reason)] };
  }
}
