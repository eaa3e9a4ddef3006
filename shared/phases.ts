// The 8 phases of the test-cycle workflow, shared by the worker, the back end and the renderer.
// Kept free of imports so deterministic workflow code can use it too.

export const PHASE_IDS = [
  'planning',
  'scoping',
  'sample_selection',
  'data_owner_identification',
  'request_for_information',
  'test_execution',
  'observation_management',
  'finalize_test_report',
] as const;
export type PhaseId = (typeof PHASE_IDS)[number];

export type CompensationStrategy = 'rollback' | 'notify' | 'skip' | 'partial_rollback';

export interface PhaseDefinition {
  readonly id: PhaseId;
  readonly number: number;
  readonly label: string;
  /** Phases that must complete before this one starts. */
  readonly after: readonly PhaseId[];
  readonly compensation: CompensationStrategy;
  /** Whether an operator may skip it after it failed for good (later phases do not need its rows). */
  readonly skippable?: boolean;
}

export const PHASES: readonly PhaseDefinition[] = [
  { id: 'planning', number: 1, label: 'Planning', after: [], compensation: 'rollback' },
  { id: 'scoping', number: 2, label: 'Scoping', after: ['planning'], compensation: 'notify' },
  {
    id: 'sample_selection',
    number: 3,
    label: 'Sample Selection',
    after: ['scoping'],
    compensation: 'rollback',
  },
  {
    id: 'data_owner_identification',
    number: 4,
    label: 'Data Owner Identification',
    after: ['scoping'],
    compensation: 'partial_rollback',
  },
  {
    id: 'request_for_information',
    number: 5,
    label: 'Request for Information',
    after: ['sample_selection', 'data_owner_identification'],
    compensation: 'notify',
    skippable: true,
  },
  {
    id: 'test_execution',
    number: 6,
    label: 'Test Execution',
    after: ['request_for_information'],
    compensation: 'partial_rollback',
  },
  {
    id: 'observation_management',
    number: 7,
    label: 'Observation Management',
    after: ['test_execution'],
    compensation: 'skip',
    skippable: true,
  },
  {
    id: 'finalize_test_report',
    number: 8,
    label: 'Finalize Test Report',
    after: ['observation_management'],
    compensation: 'rollback',
  },
];

export function phaseById(id: PhaseId): PhaseDefinition {
  const found = PHASES.find((p) => p.id === id);
  if (!found) throw new Error(`unknown phase ${id}`);
  return found;
}

/**
 * How far along a phase's state is: a phase's state only moves forward, except a phase waiting for the operator
 * that is retried (needs_attention → running). The tracking writes and the live views both keep to it.
 */
export const PHASE_STATE_RANK: Readonly<Record<string, number>> = {
  pending: 0,
  running: 1,
  needs_attention: 2,
  completed: 3,
  failed: 3,
  skipped: 3,
  compensation_failed: 4,
  compensated: 5,
};

/** Whether a phase in state `from` can be moved to `to` (an unknown state ranks with the ends, as 3). */
export function phaseStateMoves(from: string, to: string): boolean {
  const rank = (s: string) => PHASE_STATE_RANK[s] ?? 3;
  return rank(from) < rank(to) || (from === 'needs_attention' && to === 'running');
}
