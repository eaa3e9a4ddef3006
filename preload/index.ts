// The preload: exposes the contract as window.ops through contextBridge, nothing more.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

type EventListener = (name: string, payload: unknown) => void;

const api = {
  call: (op: string, input: unknown): Promise<unknown> => ipcRenderer.invoke('ops:call', op, input),
  // Which cycles the window shows in detail: their progress comes at once, other events may wait a moment.
  focus: (workflowIds: string[]): void => ipcRenderer.send('ops:focus', workflowIds),
  subscribe: (listener: EventListener): (() => void) => {
    // The events of one turn of the console's loop come as one message, handled in one task.
    const wrapped = (_event: IpcRendererEvent, events: Array<{ name: string; payload: unknown }>) => {
      for (const { name, payload } of events) listener(name, payload);
    };
    ipcRenderer.on('ops:event', wrapped);
    return () => ipcRenderer.removeListener('ops:event', wrapped);
  },
};

contextBridge.exposeInMainWorld('ops', api);
