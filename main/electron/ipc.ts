// The Electron IPC transport wired to ipcMain: the call handling lives beside the WebSocket transport
// (main/transport/ipc); here only the window's sender check and the events sent to it.
import { pathToFileURL } from 'node:url';
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import type { Router } from '../api';
import { answerIpcCall, IPC_CALL, IPC_EVENT, pushEventsPerTurn } from '../transport';

export { IPC_CALL, IPC_EVENT };

export function registerIpcTransport(router: Router, win: BrowserWindow, rendererIndex: string): void {
  const allowedUrl = pathToFileURL(rendererIndex).toString();
  const trusted = (event: IpcMainInvokeEvent) =>
    event.sender.id === win.webContents.id && (event.senderFrame?.url ?? '').split(/[?#]/)[0] === allowedUrl;

  ipcMain.handle(IPC_CALL, (event, op: unknown, input: unknown) =>
    answerIpcCall(router, trusted(event), op, input),
  );

  const stopEvents = pushEventsPerTurn(router.events, (events) => {
    if (!win.isDestroyed()) win.webContents.send(IPC_EVENT, events);
  });
  win.on('closed', () => {
    stopEvents();
    ipcMain.removeHandler(IPC_CALL);
  });
}
