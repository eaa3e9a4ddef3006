// The Workflows view in the address (filters, sort, the open cycle, its phase and history search) and the
// list's keys: / to search, j/k to move, Enter to open, Escape to close.
import { useEffect } from 'react';
import { parseWorkflowsView, workflowsHash, type WorkflowsView } from './view-url';
import { useCycle } from '../stores/cycle';
import { useWorkflows } from '../stores/workflows';

/** The view the address names (`#/workflows?status=running&open=<id>&drawer=<phase>`). */
export function viewFromAddress(): WorkflowsView {
  return parseWorkflowsView(window.location.hash.split('?')[1] ?? '');
}

/** The view on screen, as the address would name it. */
export function viewOnScreen(): WorkflowsView {
  const { query } = useWorkflows.getState();
  const { workflowId, selectedPhase, historySearch } = useCycle.getState();
  return {
    filter: query.filter,
    sort: query.sort,
    dir: query.dir,
    open: workflowId,
    phase: selectedPhase,
    history: historySearch || undefined,
  };
}

let applying = false;
/** Puts the stores in the state the address names (a link, a reload, back or forward). */
export function applyAddress(): void {
  const view = viewFromAddress();
  applying = true;
  try {
    useWorkflows.getState().setQuery({ filter: view.filter, sort: view.sort, dir: view.dir });
    useCycle.getState().open(view.open);
    if (view.open) useCycle.getState().selectPhase(view.phase);
    if (view.open) useCycle.getState().setHistorySearch(view.history ?? '');
  } finally {
    applying = false;
  }
}

/**
 * Keeps the address and the view in step: the address is read on open and on back/forward; every change the
 * operator makes is a new history entry (typing in the search replaces the entry instead of adding one per key).
 */
export function useViewInAddress(): void {
  useEffect(() => {
    // Arriving from the side menu (a bare `#/workflows`) keeps the view the page had; a link names its own.
    if (window.location.hash.includes('?') || useWorkflows.getState().total === undefined) applyAddress();
    const sync = () => {
      if (applying || !window.location.hash.startsWith('#/workflows')) return;
      const next = workflowsHash(viewOnScreen());
      const shown = workflowsHash(viewFromAddress());
      if (next === shown) return;
      const typedOnly =
        JSON.stringify({ ...viewOnScreen().filter, text: '' }) ===
          JSON.stringify({ ...viewFromAddress().filter, text: '' }) &&
        viewOnScreen().open === viewFromAddress().open &&
        viewOnScreen().phase === viewFromAddress().phase;
      if (typedOnly) window.history.replaceState(null, '', next);
      else window.history.pushState(null, '', next);
    };
    sync();
    const unsubscribeList = useWorkflows.subscribe((s, before) => s.query !== before.query && sync());
    const unsubscribeCycle = useCycle.subscribe(
      (s, before) =>
        (s.workflowId !== before.workflowId ||
          s.selectedPhase !== before.selectedPhase ||
          s.historySearch !== before.historySearch) &&
        sync(),
    );
    const onAddress = () => {
      if (!window.location.hash.startsWith('#/workflows')) return;
      if (workflowsHash(viewFromAddress()) === workflowsHash(viewOnScreen())) return;
      applyAddress();
    };
    window.addEventListener('popstate', onAddress);
    window.addEventListener('hashchange', onAddress);
    return () => {
      unsubscribeList();
      unsubscribeCycle();
      window.removeEventListener('popstate', onAddress);
      window.removeEventListener('hashchange', onAddress);
    };
  }, []);
}

const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

/** `/` focuses the search; Escape closes the open cycle when nothing above it (a dialog, a drawer) is open. */
export function useWorkflowsKeys(search: React.RefObject<HTMLInputElement | null>) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      // A dialog, drawer, menu or popover handles its own keys.
      if (document.querySelector('.MuiModal-root:not(.MuiModal-hidden)')) return;
      if (e.key === '/' && !isTyping(e.target)) {
        e.preventDefault();
        search.current?.focus();
        search.current?.select();
      } else if (e.key === 'Escape' && isTyping(e.target)) {
        (e.target as HTMLElement).blur();
      } else if (e.key === 'Escape' && useCycle.getState().workflowId) {
        const id = useCycle.getState().workflowId;
        useCycle.getState().open(undefined);
        // Back to the row the cycle was opened from.
        document
          .querySelector<HTMLElement>(`[data-testid=cycle-row][data-workflow-id="${CSS.escape(id!)}"]`)
          ?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [search]);
}
