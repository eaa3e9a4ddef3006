// Service alerts as desktop notifications (the browser mode shows them in the alert list and on the cards).
import { Notification, type BrowserWindow } from 'electron';
import type { Router } from '../api';
import type { ServiceAlert } from '../api';

export function notifyServiceAlerts(router: Router, win: BrowserWindow): () => void {
  const shown = new Set<string>();
  return router.events.subscribe((name, payload) => {
    if (name !== 'service.alert' || !Notification.isSupported()) return;
    const alert = payload as ServiceAlert;
    // One notification per alert: its later occurrences update the card, not the desktop.
    if (alert.acknowledged || shown.has(alert.id)) return;
    shown.add(alert.id);
    const notification = new Notification({
      title: `Ops Console: ${alert.title}`,
      body: `${alert.message}\n${alert.fix}`,
      urgency: alert.severity === 'critical' ? 'critical' : 'normal',
    });
    notification.on('click', () => {
      if (win.isDestroyed()) return;
      win.show();
      win.focus();
    });
    notification.show();
  });
}
