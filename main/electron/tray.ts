// The tray shows the stack's overall state and offers the one-click actions without opening the window.
import {
  Menu,
  Tray,
  dialog,
  nativeImage,
  type BrowserWindow,
  type MenuItemConstructorOptions,
} from 'electron';
import type { Router } from '../api';

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

export interface TrayActions {
  startAll(): void;
  stopAll(): void;
  showWindow(): void;
}

/** The tray menu for a stack state: Start all only when it can start, Stop all only when something runs. */
export function trayMenu(state: string, actions: TrayActions): MenuItemConstructorOptions[] {
  const busy = state === 'starting' || state === 'stopping';
  return [
    { label: `Stack: ${state}`, enabled: false },
    { type: 'separator' },
    { label: 'Start all', enabled: !busy && state !== 'running', click: actions.startAll },
    { label: 'Stop all', enabled: !busy && state !== 'stopped', click: actions.stopAll },
    { type: 'separator' },
    { label: 'Open Ops Console', click: actions.showWindow },
  ];
}

export function createStackTray(router: Router, win: BrowserWindow): Tray {
  const tray = new Tray(dot(STATE_COLOURS.stopped as string));
  const actions: TrayActions = {
    startAll: () => void router.call('stack.start', {}),
    // Stopping pauses every running workflow: asked once, as the window's Stop all does.
    stopAll: () =>
      void dialog
        .showMessageBox({
          type: 'question',
          buttons: ['Stop all', 'Cancel'],
          defaultId: 1,
          cancelId: 1,
          message: 'Stop the whole stack?',
          detail: 'Running workflows pause until the stack starts again. All data is kept.',
        })
        .then(({ response }) => (response === 0 ? router.call('stack.stop', {}) : undefined)),
    showWindow: () => {
      if (win.isDestroyed()) return;
      win.show();
      win.focus();
    },
  };
  const render = (state: string) => {
    tray.setImage(dot(STATE_COLOURS[state] ?? (STATE_COLOURS.stopped as string)));
    tray.setToolTip(`Ops Console — stack ${state}`);
    tray.setContextMenu(Menu.buildFromTemplate(trayMenu(state, actions)));
  };
  render('stopped');
  tray.on('click', actions.showWindow);
  router.events.subscribe((name, payload) => {
    if (name !== 'stack.status') return;
    const state = (payload as { state: string }).state;
    render(state);
    if (!win.isDestroyed()) win.setTitle(`Ops Console — stack ${state}`);
  });
  return tray;
}
