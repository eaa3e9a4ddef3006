// Resume after manual intervention (deterministic workflow code): a phase that failed for good waits for the
// operator's decision, given as a validated Update: retry the phase, skip it (where its definition allows), or
// abandon the cycle (compensate as usual). A timeout abandons.
import { ActivityFailure, condition, defineUpdate, isCancellation, setHandler } from '@temporalio/workflow';
import { PHASES, type PhaseId } from '../../shared/phases';

export type OperatorChoice = 'retry' | 'skip' | 'abandon';

export interface OperatorDecision {
  decision: OperatorChoice;
  by: string;
  note?: string;
}

export const operatorDecisionUpdate = defineUpdate<OperatorChoice, [OperatorDecision]>('operatorDecision');

/** What the operator should fix, from the failure's words (the alert names it). */
export function fixHint(failure: string): string {
  if (/no email address/i.test(failure))
    return 'give the data owner an email address in the app DB, then Retry phase';
  if (/has no data owner/i.test(failure)) return 'assign a data owner to the report, then Retry phase';
  if (/no records to sample/i.test(failure))
    return 'set the report’s population size above zero, then Retry phase';
  if (/does not exist/i.test(failure)) return 'create the missing report, then Retry phase';
  if (/failed \d+ times|policy exhausted|timeout|timed out/i.test(failure))
    return 'bring the failing service back (see the retry log), then Retry phase';
  return 'fix the cause named in the failure, then Retry phase';
}

/** Only an activity that failed for good (bad data, or its retries exhausted) waits for the operator. */
export function waitsForOperator(err: unknown): boolean {
  return !isCancellation(err) && err instanceof ActivityFailure;
}

export interface AttentionRequest {
  phase: PhaseId;
  failure: string;
}

/**
 * The cycle's one waiting point for operator decisions. `ask` resolves with the operator's choice, or 'abandon'
 * when the timeout passes first.
 */
export class OperatorAttention {
  private waiting: AttentionRequest | undefined;
  private decision: OperatorDecision | undefined;
  private turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly timeoutS: number) {
    setHandler(
      operatorDecisionUpdate,
      (d) => {
        this.decision = d;
        return d.decision;
      },
      {
        validator: (d) => {
          if (!this.waiting) throw new Error('The cycle is not waiting for an operator decision.');
          if (!d || !['retry', 'skip', 'abandon'].includes(d.decision))
            throw new Error('The decision must be retry, skip or abandon.');
          if (typeof d.by !== 'string' || d.by.trim() === '') throw new Error('Say who decides (by).');
          if (d.decision === 'skip' && !PHASES.find((p) => p.id === this.waiting!.phase)?.skippable)
            throw new Error(`${this.waiting.phase} cannot be skipped: later phases need what it produces.`);
        },
      },
    );
  }

  get current(): AttentionRequest | undefined {
    return this.waiting;
  }

  /** One question at a time: when both parallel phases fail, the second waits for the first's decision. */
  async ask(request: AttentionRequest): Promise<OperatorDecision> {
    const mine = this.turn.then(() => this.askNow(request));
    this.turn = mine.catch(() => undefined);
    return mine;
  }

  private async askNow(request: AttentionRequest): Promise<OperatorDecision> {
    this.waiting = request;
    this.decision = undefined;
    try {
      const decided = await condition(() => this.decision !== undefined, `${this.timeoutS} s`);
      return decided
        ? this.decision!
        : { decision: 'abandon', by: 'timeout', note: `no decision within ${this.timeoutS} s` };
    } finally {
      this.waiting = undefined;
    }
  }
}
