// What the Recovery page offers: the moment the operator typed read strictly (or a message naming the formats it
// takes), the marks worth recovering to just before, and which state the page is in. Pure.
import { PHASES, type ArchiveHealth, type TimelineMark } from '../../../main/api/contract';

export const MOMENT_FORMATS =
  'YYYY-MM-DD HH:MM or YYYY-MM-DD HH:MM:SS (your local time), or an ISO moment such as 2026-11-25T14:02:59Z';

export type ParsedMoment = { ok: true; iso: string } | { ok: false; message: string };

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** Reads a moment: a local date and time, or an ISO moment with its zone. Anything else says what to write. */
export function parseMoment(text: string): ParsedMoment {
  const t = text.trim();
  const fail = (): ParsedMoment => ({
    ok: false,
    message: `Write the moment as ${MOMENT_FORMATS}; "${t}" is not one of these.`,
  });
  if (!t) return { ok: false, message: `Write the moment to recover to: ${MOMENT_FORMATS}.` };
  const local = LOCAL.exec(t);
  if (local) {
    const [, y, mo, d, h, mi, s, ms] = local.map(Number) as number[];
    const date = new Date(y!, mo! - 1, d!, h!, mi!, s || 0, ms ? Number(local[7]!.padEnd(3, '0')) : 0);
    // 2026-02-30 would roll over to March: refuse it instead.
    if (
      date.getFullYear() !== y ||
      date.getMonth() !== mo! - 1 ||
      date.getDate() !== d ||
      h! > 23 ||
      mi! > 59
    )
      return fail();
    return { ok: true, iso: date.toISOString() };
  }
  if (ZONED.test(t)) {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms)) return { ok: true, iso: new Date(ms).toISOString() };
  }
  return fail();
}

const PHASE_LABEL = Object.fromEntries(PHASES.map((p) => [p.id, p.label]));
const LAST_PHASE = PHASES.at(-1)!.id;

export interface RecoveryChoice {
  at: string;
  /** Just before the mark: the moment recovery goes to. */
  before: string;
  label: string;
  kind: 'phase' | 'cycle';
  workflowId?: string;
}

/**
 * The marks to recover to just before: completed phases, and whole cycles (their last phase completed). Not
 * operator actions (a refused start is one), backups or compensation rows. Newest first, at most `limit`.
 */
export function recoveryChoices(marks: readonly TimelineMark[], limit = 24): RecoveryChoice[] {
  const out: RecoveryChoice[] = [];
  for (const m of marks) {
    if (m.kind !== 'phase_completed') continue;
    const phase = m.label.replace(/ completed$/, '');
    if (!(phase in PHASE_LABEL)) continue;
    const before = new Date(Date.parse(m.at) - 1).toISOString();
    const cycle = m.workflowId ?? 'cycle';
    out.push(
      phase === LAST_PHASE
        ? { at: m.at, before, kind: 'cycle', label: `${cycle} completed`, workflowId: m.workflowId }
        : {
            at: m.at,
            before,
            kind: 'phase',
            label: `${PHASE_LABEL[phase]} completed · ${cycle}`,
            workflowId: m.workflowId,
          },
    );
  }
  return out.sort((a, b) => b.at.localeCompare(a.at)).slice(0, limit);
}

export type RecoveryState = 'loading' | 'archiving-off' | 'no-base-backup' | 'ready';

/** Which page the operator needs: nothing can be recovered without archiving and a base backup of each cluster. */
export function recoveryState(health: readonly ArchiveHealth[]): RecoveryState {
  if (health.length === 0) return 'loading';
  if (health.some((h) => !h.enabled)) return 'archiving-off';
  if (health.some((h) => h.baseBackups === 0)) return 'no-base-backup';
  return 'ready';
}
