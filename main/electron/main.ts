// The Electron shell: one window, the IPC transport, safeStorage for secrets, and a clean shutdown.
import path from 'node:path';
import { app, Menu, dialog, safeStorage, shell } from 'electron';
import { createConsole, type OpsConsole } from '../console';
import { EncryptedSecretStore, FileSecretStore } from '../settings';
import { registerIpcTransport } from './ipc';
import { createMainWindow } from './window';
import { createStackTray } from './tray';
import { notifyServiceAlerts } from './notifications';

app.enableSandbox();

let ops: OpsConsole | undefined;

async function boot(): Promise<void> {
  const dataDir = app.getPath('userData');
  const secrets = safeStorage.isEncryptionAvailable()
    ? new EncryptedSecretStore(dataDir, {
        encrypt: (plain) => safeStorage.encryptString(plain),
        decrypt: (data) => safeStorage.decryptString(data),
      })
    : new FileSecretStore(dataDir);
  ops = createConsole({ mode: 'desktop', dataDir, secrets });
  const rendererIndex = path.join(__dirname, '..', 'renderer', 'index.html');
  const win = createMainWindow({
    preload: path.join(__dirname, '..', 'preload', 'index.cjs'),
    rendererIndex,
  });
  registerIpcTransport(ops.router, win, rendererIndex);
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

app.whenReady().then(boot, (err: Error) => {
  dialog.showErrorBox('Ops Console could not start', err.message);
  app.exit(1);
});

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !ops) return;
  event.preventDefault();
  quitting = true;
  void ops.shutdown().finally(() => app.quit());
});
app.on('window-all-closed', () => app.quit());
