// Whether the database's event stream reaches the console (the listener reports 'lost' and 'resync').
import { create } from 'zustand';
import { ops } from '../ops/client';

interface LiveStore {
  dbEvents: 'flowing' | 'lost';
  lostAt: number | undefined;
}

export const useLive = create<LiveStore>(() => ({ dbEvents: 'flowing', lostAt: undefined }));

/** A progress event that is the listener's own news rather than a tracking write. */
export const isListenerEvent = (e: { table: string }) => e.table === 'listener';
export const isResync = (e: { table: string; kind: string }) => e.table === 'listener' && e.kind === 'resync';

ops.on('workflow.progress', (e) => {
  if (!isListenerEvent(e)) return;
  if (e.kind === 'lost') useLive.setState({ dbEvents: 'lost', lostAt: Date.now() });
  else useLive.setState({ dbEvents: 'flowing', lostAt: undefined });
});
