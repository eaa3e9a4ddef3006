// Service health alerts: loaded once, then kept up to date by the service.alert event (new and updated alerts).
import { create } from 'zustand';
import type { ServiceAlert } from '../../../main/api/contract';
import { asFailure, ops, type OpsFailure } from '../ops/client';

interface ServiceAlertStore {
  alerts: ServiceAlert[];
  error: OpsFailure | undefined;
  load(): Promise<void>;
  acknowledge(ids: string[]): Promise<void>;
}

export const useServiceAlerts = create<ServiceAlertStore>((set) => ({
  alerts: [],
  error: undefined,
  async load() {
    try {
      set({ alerts: await ops.call('stack.alerts', {}), error: undefined });
    } catch (err) {
      set({ error: asFailure(err) });
    }
  },
  async acknowledge(ids) {
    try {
      await ops.call('stack.acknowledgeAlerts', { ids });
      set((s) => ({ alerts: s.alerts.filter((a) => !ids.includes(a.id)) }));
    } catch (err) {
      set({ error: asFailure(err) });
    }
  },
}));

/** The open alerts of one service, newest first. */
export const openAlertsOf = (alerts: ServiceAlert[], service: string) =>
  alerts.filter((a) => a.service === service && !a.acknowledged);

ops.on('service.alert', (alert) =>
  useServiceAlerts.setState((s) => {
    const rest = s.alerts.filter((a) => a.id !== alert.id);
    return { alerts: alert.acknowledged ? rest : [alert, ...rest] };
  }),
);
