// The tray shows the stack's overall state and offers the one-click actions without opening the window.
import { Menu, Tray, nativeImage, type BrowserWindow } from 'electron';
import type { Router } from '../api/router';

const STATE_COLOURS: Record<string, string> = {
  running: '#2e7d32',
  starting: '#ed6c02',
  stopping: '#ed6c02',
  degraded: '#ed6c02',
  failed: '#d32f2f',
  stopped: '#757575',
};

function dot(colour: string) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><circle cx="8" cy="8" r="6" fill="${colour}"/></svg>`;
  return nativeImage.createFromDataURL(`data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`);
}

export function createStackTray(router: Router, win: BrowserWindow): Tray {
  const tray = new Tray(dot(STATE_COLOURS.stopped as string));
  const render = (state: string) => {
    tray.setImage(dot(STATE_COLOURS[state] ?? (STATE_COLOURS.stopped as string)));
    tray.setToolTip(`Ops Console — stack ${state}`);
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: `Stack: ${state}`, enabled: false },
        { type: 'separator' },
        { label: 'Start all', click: () => void router.call('stack.start', {}) },
        { label: 'Show console', click: () => win.show() },
      ]),
    );
  };
  render('stopped');
  router.events.subscribe((name, payload) => {
    if (name !== 'stack.status') return;
    const state = (payload as { state: string }).state;
    render(state);
    if (!win.isDestroyed()) win.setTitle(`Ops Console — stack ${state}`);
  });
  return tray;
}
