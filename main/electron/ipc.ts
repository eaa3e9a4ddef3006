// The Electron IPC transport: a thin adapter over the router, with every sender checked.
import { pathToFileURL } from 'node:url';
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import type { Router } from '../api/router';

export const IPC_CALL = 'ops:call';
export const IPC_EVENT = 'ops:event';

export function registerIpcTransport(router: Router, win: BrowserWindow, rendererIndex: string): void {
  const allowedUrl = pathToFileURL(rendererIndex).toString();
  const trusted = (event: IpcMainInvokeEvent) =>
    event.sender.id === win.webContents.id && (event.senderFrame?.url ?? '').split(/[?#]/)[0] === allowedUrl;

  ipcMain.handle(IPC_CALL, async (event, op: unknown, input: unknown) => {
    if (!trusted(event)) {
      return {
        ok: false,
        error: {
          code: 'UNAUTHORIZED',
          message: 'Refused: unknown sender.',
          hint: 'Only the console window may call.',
        },
      };
    }
    if (typeof op !== 'string') {
      return {
        ok: false,
        error: {
          code: 'INVALID_INPUT',
          message: 'Operation name must be a string.',
          hint: 'Use window.ops.call(name, input).',
        },
      };
    }
    return router.call(op, input);
  });

  const unsubscribe = router.events.subscribe((name, payload) => {
    if (!win.isDestroyed()) win.webContents.send(IPC_EVENT, name, payload);
  });
  win.on('closed', () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_CALL);
  });
}
