// The Electron shell: one window, the IPC transport, safeStorage for secrets, and a clean shutdown.
import path from 'node:path';
import { app, Menu, dialog, safeStorage, shell } from 'electron';
import { createConsole, type OpsConsole } from '../console';
import { EncryptedSecretStore, FileSecretStore, defaultDataDir } from '../settings';
import { iconFile, shippedResources } from '../resources';
import { startControlSocket, type ControlSocket } from '../control';
import { registerIpcTransport } from './ipc';
import { createMainWindow } from './window';
import { createStackTray } from './tray';
import { registerWebUiOpener } from './web-ui';

app.enableSandbox();

let ops: OpsConsole | undefined;
let control: ControlSocket | undefined;

async function boot(): Promise<void> {
  // One installation: the app keeps its data where the CLI does, so both see the same stack and settings.
  const dataDir = defaultDataDir();
  const secrets = safeStorage.isEncryptionAvailable()
    ? new EncryptedSecretStore(dataDir, {
        encrypt: (plain) => safeStorage.encryptString(plain),
        decrypt: (data) => safeStorage.decryptString(data),
      })
    : new FileSecretStore(dataDir);
  ops = createConsole({ mode: 'desktop', dataDir, secrets });
  // The CLI in a terminal acts through this app while it runs (same stack, secrets and audit trail).
  const wired = ops;
  control = await startControlSocket({
    router: ops.router,
    dataDir,
    onLog: (m) => wired.log('console').warn(m),
  });
  const shipped = shippedResources();
  const rendererIndex = path.join(shipped.rendererDir, 'index.html');
  const win = createMainWindow({ preload: shipped.preload, rendererIndex, icon: iconFile(512) });
  registerIpcTransport(ops.router, win, rendererIndex);
  registerWebUiOpener(ops.router);
  createStackTray(ops.router, win);
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
  void Promise.resolve(control?.close())
    .then(() => ops?.shutdown())
    .finally(() => app.quit());
});
app.on('window-all-closed', () => app.quit());
