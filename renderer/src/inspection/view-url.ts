// The Workflows view in the address: filters, sort, the open cycle, its selected phase and the history search, as
// the query of a hash route (`#/workflows?status=running&open=test-cycle-7`), so a link restores the view. Pure.
import { CycleStatusSchema, PHASES, type CycleFilter, type CycleStatus } from '../../../main/api/contract';

export type ViewSort = 'started' | 'duration' | 'retries' | 'cycle';
const SORTS: readonly ViewSort[] = ['started', 'duration', 'retries', 'cycle'];

export interface WorkflowsView {
  filter: CycleFilter;
  sort: ViewSort;
  dir: 'asc' | 'desc';
  /** The open cycle's workflow id. */
  open?: string;
  /** The phase whose drawer is open. */
  phase?: string;
  /** The open cycle's history search. */
  history?: string;
}

export const DEFAULT_VIEW: WorkflowsView = {
  filter: { status: [], text: '' },
  sort: 'started',
  dir: 'desc',
};

const PHASE_IDS = new Set<string>(PHASES.map((p) => p.id));
const isoOrUndefined = (v: string | null): string | undefined =>
  v && !Number.isNaN(Date.parse(v)) && /^\d{4}-\d\d-\d\dT/.test(v) ? new Date(v).toISOString() : undefined;

/**
 * The view a hash query names. Whatever is not understood (an unknown status, a malformed date, a made-up
 * sort) is left at its default rather than refused: a link that is half wrong still opens the rest.
 */
export function parseWorkflowsView(query: string): WorkflowsView {
  const q = new URLSearchParams(query.replace(/^\?/, ''));
  const status = (q.get('status') ?? '')
    .split(',')
    .filter((s): s is CycleStatus => CycleStatusSchema.safeParse(s).success);
  const phaseFilter = q.get('phase');
  const version = Number(q.get('version'));
  const sort = q.get('sort') as ViewSort | null;
  const filter: CycleFilter = { status: [...new Set(status)], text: (q.get('q') ?? '').slice(0, 200) };
  if (phaseFilter && PHASE_IDS.has(phaseFilter)) filter.phase = phaseFilter as CycleFilter['phase'];
  if (Number.isInteger(version) && version > 0) filter.version = version;
  const from = isoOrUndefined(q.get('from'));
  const to = isoOrUndefined(q.get('to'));
  if (from) filter.from = from;
  if (to) filter.to = to;
  const view: WorkflowsView = {
    filter,
    sort: sort && SORTS.includes(sort) ? sort : DEFAULT_VIEW.sort,
    dir: q.get('dir') === 'asc' ? 'asc' : 'desc',
  };
  const open = q.get('open');
  if (open) view.open = open;
  const selected = q.get('drawer');
  if (open && selected && PHASE_IDS.has(selected)) view.phase = selected;
  const history = q.get('history');
  if (open && history) view.history = history;
  return view;
}

/** The hash query for a view (without the `?`), defaults left out so a plain view has a plain address. */
export function formatWorkflowsView(view: WorkflowsView): string {
  const q = new URLSearchParams();
  const f = view.filter;
  if (f.status.length) q.set('status', f.status.join(','));
  if (f.phase) q.set('phase', f.phase);
  if (f.version) q.set('version', String(f.version));
  if (f.text) q.set('q', f.text);
  if (f.from) q.set('from', f.from);
  if (f.to) q.set('to', f.to);
  if (view.sort !== DEFAULT_VIEW.sort) q.set('sort', view.sort);
  if (view.dir !== DEFAULT_VIEW.dir) q.set('dir', view.dir);
  if (view.open) {
    q.set('open', view.open);
    if (view.phase) q.set('drawer', view.phase);
    if (view.history) q.set('history', view.history);
  }
  return q.toString();
}

/** The hash route for a view: `#/workflows` or `#/workflows?…`. */
export function workflowsHash(view: WorkflowsView): string {
  const query = formatWorkflowsView(view);
  return query ? `#/workflows?${query}` : '#/workflows';
}

/** Whether a date range is usable: both ends optional, and the start not after the end. */
export function rangeProblem(from: string | undefined, to: string | undefined): string | undefined {
  if (from && to && Date.parse(from) > Date.parse(to))
    return 'The range starts after it ends: choose a “from” at or before the “to”.';
  return undefined;
}
