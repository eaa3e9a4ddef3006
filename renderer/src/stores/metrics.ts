// The Metrics dashboard and the alerts: queries on demand and on tracking events, new alerts as notifications.
import { create } from 'zustand';
import type { AlertView, MetricsView } from '../../../main/api/contract';
import { asFailure, ops, type OpsFailure } from '../ops/client';
import { isResync } from './live';

interface MetricsStore {
  version: number | undefined;
  days: number | undefined;
  view: MetricsView | undefined;
  alerts: AlertView[];
  openAlerts: number;
  /** Alerts that arrived while the console was open, for the notification toast. */
  fresh: AlertView[];
  loading: boolean;
  error: OpsFailure | undefined;
  setVersion(version: number | undefined): void;
  setDays(days: number | undefined): void;
  load(): Promise<void>;
  loadAlerts(): Promise<void>;
  acknowledge(ids: number[]): Promise<void>;
  dismissFresh(): void;
}

let seenAlertId: number | undefined;

export const useMetrics = create<MetricsStore>((set, get) => ({
  version: undefined,
  days: undefined,
  view: undefined,
  alerts: [],
  openAlerts: 0,
  fresh: [],
  loading: false,
  error: undefined,
  setVersion(version) {
    set({ version });
    void get().load();
  },
  setDays(days) {
    set({ days });
    void get().load();
  },
  async load() {
    set({ loading: true });
    try {
      const { version, days } = get();
      const from = days ? new Date(Date.now() - days * 86_400_000).toISOString() : undefined;
      set({ view: await ops.call('inspection.metrics', { version, from }), error: undefined });
    } catch (err) {
      set({ error: asFailure(err) });
    } finally {
      set({ loading: false });
    }
    await get().loadAlerts();
  },
  async loadAlerts() {
    try {
      const res = await ops.call('inspection.alerts', { limit: 100 });
      const newest = res.rows.reduce((m, a) => Math.max(m, a.id), 0);
      const fresh = seenAlertId === undefined ? [] : res.rows.filter((a) => a.id > seenAlertId!);
      seenAlertId = Math.max(seenAlertId ?? 0, newest);
      set((s) => ({ alerts: res.rows, openAlerts: res.open, fresh: [...s.fresh, ...fresh] }));
      for (const alert of fresh) notifyDesktop(alert);
    } catch {
      // Alerts need the stack; the page says so through the metrics error.
    }
  },
  async acknowledge(ids) {
    try {
      await ops.call('inspection.ackAlert', { ids });
      await get().loadAlerts();
    } catch (err) {
      set({ error: asFailure(err) });
    }
  },
  dismissFresh: () => set({ fresh: [] }),
}));

/** In the desktop app an alert also becomes a system notification. */
function notifyDesktop(alert: AlertView) {
  if (ops.mode !== 'desktop' || typeof Notification === 'undefined') return;
  const show = () => new Notification(`Ops Console: ${alert.severity} alert`, { body: alert.message });
  if (Notification.permission === 'granted') show();
  else if (Notification.permission !== 'denied')
    void Notification.requestPermission().then((p) => p === 'granted' && show());
}

// Alerts are written with phase completions and exhausted retries: re-read them after those, coalesced.
let alertTimer: ReturnType<typeof setTimeout> | undefined;
ops.on('workflow.progress', (e) => {
  const relevant =
    isResync(e) ||
    e.table === 'workflow_activity_retry_log' ||
    (e.table === 'workflow_phases' && e.kind.endsWith('completed'));
  if (!relevant) return;
  if (alertTimer) clearTimeout(alertTimer);
  alertTimer = setTimeout(() => {
    void useMetrics.getState().loadAlerts();
    if (useMetrics.getState().view && e.kind.endsWith('completed')) void useMetrics.getState().load();
  }, 500);
});
ops.onState((state) => {
  if (state === 'connected') void useMetrics.getState().loadAlerts();
});
