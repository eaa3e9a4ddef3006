// The Electron shell: one window, the IPC transport, safeStorage for secrets, and a clean shutdown.
import path from 'node:path';
import { app, Menu, dialog, safeStorage, shell, type BrowserWindow } from 'electron';
import { createConsole, type OpsConsole } from '../console';
import { defaultDataDir, openDesktopSecretStore } from '../settings';
import { installLastResortGuard } from '../last-resort';
import { iconFile, shippedResources } from '../resources';
import { startControlSocket, type ControlSocket } from '../control';
import { registerIpcTransport } from './ipc';
import { createMainWindow } from './window';
import { createStackTray } from './tray';
import { registerWebUiOpener } from './web-ui';
import { notifyServiceAlerts } from './notifications';

app.enableSandbox();

let ops: OpsConsole | undefined;
let control: ControlSocket | undefined;

// One console per user: a second launch hands over to the first (its window comes to the front) and quits.
const firstInstance = app.requestSingleInstanceLock();
if (!firstInstance) app.quit();
let mainWindow: BrowserWindow | undefined;
app.on('second-instance', () => {
  if (!mainWindow || mainWindow.isDestroyed()) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
});

async function boot(): Promise<void> {
  // One installation: the app keeps its data where the CLI does, so both see the same stack and settings.
  const dataDir = defaultDataDir();
  // The keychain-backed store where it really encrypts, the 0600 file otherwise; secrets follow the choice.
  const { secrets, notice, moved, unreadable } = openDesktopSecretStore(dataDir, safeStorage);
  ops = createConsole({ mode: 'desktop', dataDir, secrets, secretStoreNotice: notice });
  const wired = ops;
  installLastResortGuard((m) => wired.log('console').error(m));
  if (moved.length) ops.log('console').info(`moved ${moved.length} secret(s) into the ${secrets.kind} store`);
  if (unreadable.length)
    ops
      .log('console')
      .warn(
        `${unreadable.length} secret(s) sealed by a keychain that does not answer now were left where they are`,
      );
  // The CLI in a terminal acts through this app while it runs (same stack, secrets and audit trail).
  control = await startControlSocket({
    router: ops.router,
    dataDir,
    onLog: (m) => wired.log('console').warn(m),
  });
  const shipped = shippedResources();
  const rendererIndex = path.join(shipped.rendererDir, 'index.html');
  const win = (mainWindow = createMainWindow({
    preload: shipped.preload,
    rendererIndex,
    icon: iconFile(512),
  }));
  registerIpcTransport(ops.router, win, rendererIndex);
  registerWebUiOpener(ops.router);
  createStackTray(ops.router, win);
  notifyServiceAlerts(ops.router, win);
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      { role: 'fileMenu' },
      { role: 'editMenu' },
      { role: 'viewMenu' },
      {
        role: 'help',
        submenu: [{ label: 'Data folder', click: () => void shell.openPath(dataDir) }],
      },
    ]),
  );
}

app.on('web-contents-created', (_event, contents) => {
  // No navigation away from the app and no new windows, whatever the page asks.
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

if (firstInstance)
  app.whenReady().then(boot, (err: Error) => {
    dialog.showErrorBox('Ops Console could not start', err.message);
    app.exit(1);
  });

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !ops) return;
  event.preventDefault();
  quitting = true;
  void Promise.resolve(control?.close())
    .then(() => ops?.shutdown())
    .finally(() => app.quit());
});
app.on('window-all-closed', () => app.quit());
