// The Electron IPC transport wired to ipcMain: the call handling lives beside the WebSocket transport
// (main/transport/ipc); here only the window's sender check and the events sent to it.
import { pathToFileURL } from 'node:url';
import { ipcMain, type BrowserWindow, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import type { Router } from '../api';
import {
  answerIpcCall,
  FocusFrameSchema,
  IPC_CALL,
  IPC_EVENT,
  IPC_FOCUS,
  pushEventsPerTask,
  WindowFeed,
  type PushedEvent,
} from '../transport';

export { IPC_CALL, IPC_EVENT, IPC_FOCUS };

export function registerIpcTransport(router: Router, win: BrowserWindow, rendererIndex: string): void {
  const allowedUrl = pathToFileURL(rendererIndex).toString();
  const trusted = (event: IpcMainInvokeEvent | IpcMainEvent) =>
    event.sender.id === win.webContents.id && (event.senderFrame?.url ?? '').split(/[?#]/)[0] === allowedUrl;

  ipcMain.handle(IPC_CALL, (event, op: unknown, input: unknown) =>
    answerIpcCall(router, trusted(event), op, input),
  );

  const feed = new WindowFeed<PushedEvent>((events) => {
    if (!win.isDestroyed()) win.webContents.send(IPC_EVENT, events);
  });
  const stopEvents = pushEventsPerTask(router.events, (events) => feed.take(events, events));
  // Which cycles the window shows in detail: from the console window only, and well formed, else ignored.
  const onFocus = (event: IpcMainEvent, workflowIds: unknown) => {
    const frame = FocusFrameSchema.safeParse({ type: 'focus', workflowIds });
    if (trusted(event) && frame.success) feed.focus = new Set(frame.data.workflowIds);
  };
  ipcMain.on(IPC_FOCUS, onFocus);
  win.on('closed', () => {
    stopEvents();
    feed.close();
    ipcMain.removeHandler(IPC_CALL);
    ipcMain.removeListener(IPC_FOCUS, onFocus);
  });
}
