// The Temporal Web UI's addresses for the stack in force (per workflow), and opening them: the desktop app asks
// the shell (system browser, allow-listed); browser mode follows the link into a new tab.
import { create } from 'zustand';
import type { WebUiLinks } from '../../../main/api/contract';
import { asFailure, ops, type OpsFailure } from '../ops/client';

const key = (workflowId?: string, runId?: string) => `${workflowId ?? ''}/${runId ?? ''}`;

interface WebUiStore {
  links: Record<string, WebUiLinks>;
  error: OpsFailure | undefined;
  copied: string | undefined;
  load(workflowId?: string, runId?: string): Promise<void>;
  /** True when the desktop shell opened it; false: let the link open a tab. */
  openInShell(url: string): boolean;
  copy(text: string): Promise<void>;
  clear(): void;
}

export const isDesktop = () => typeof window !== 'undefined' && window.ops !== undefined;

export const linksFor = (workflowId?: string, runId?: string) => (s: WebUiStore) =>
  s.links[key(workflowId, runId)];

export const useWebUi = create<WebUiStore>((set) => ({
  links: {},
  error: undefined,
  copied: undefined,
  load: async (workflowId, runId) => {
    try {
      const links = await ops.call('webUi.links', {
        ...(workflowId ? { workflowId } : {}),
        ...(runId ? { runId } : {}),
      });
      set((s) => ({ links: { ...s.links, [key(workflowId, runId)]: links } }));
    } catch (err) {
      set({ error: asFailure(err) });
    }
  },
  openInShell: (url) => {
    if (!isDesktop()) return false;
    ops.call('webUi.open', { url }).catch((err: unknown) => set({ error: asFailure(err) }));
    return true;
  },
  copy: async (text) => {
    try {
      await navigator.clipboard.writeText(text);
      set({ copied: text });
    } catch (err) {
      set({
        error: {
          code: 'INTERNAL',
          message: `The clipboard refused the command: ${(err as Error).message}`,
          hint: 'Select and copy it by hand: ' + text,
        },
      });
    }
  },
  clear: () => set({ error: undefined, copied: undefined }),
}));
