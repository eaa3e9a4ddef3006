// MOCK: the Electron binary cannot run on these machines, so the electron module is replaced by a
// recording stand-in. What is tested is our shell code: the window's security settings and the IPC sender check.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const recorded = vi.hoisted(() => ({
  windowOptions: undefined as Record<string, unknown> | undefined,
  handlers: new Map<string, (...args: unknown[]) => unknown>(),
  listeners: new Map<string, (...args: unknown[]) => unknown>(),
  sent: [] as unknown[][],
}));

vi.mock('electron', () => {
  class BrowserWindow {
    webContents = { id: 7, send: (...args: unknown[]) => recorded.sent.push(args) };
    constructor(options: Record<string, unknown>) {
      recorded.windowOptions = options;
    }
    once() {}
    on() {}
    isDestroyed() {
      return false;
    }
    loadFile() {
      return Promise.resolve();
    }
  }
  return {
    BrowserWindow,
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: () => undefined },
        setPermissionRequestHandler: () => undefined,
      },
    },
    ipcMain: {
      handle: (channel: string, fn: (...args: unknown[]) => unknown) => recorded.handlers.set(channel, fn),
      removeHandler: (channel: string) => recorded.handlers.delete(channel),
      on: (channel: string, fn: (...args: unknown[]) => unknown) => recorded.listeners.set(channel, fn),
      removeListener: (channel: string) => recorded.listeners.delete(channel),
    },
  };
});

const { createMainWindow } = await import('../../../main/electron/window');
const { registerIpcTransport, IPC_CALL, IPC_EVENT, IPC_FOCUS } = await import('../../../main/electron/ipc');
const { Router } = await import('../../../main/api/router');

const index = '/opt/ops-console/dist/renderer/index.html';

describe('Electron shell (electron module mocked)', () => {
  beforeEach(() => {
    recorded.handlers.clear();
    recorded.listeners.clear();
    recorded.sent.length = 0;
  });

  it('creates the window with Electron secure defaults', () => {
    createMainWindow({ preload: '/p.cjs', rendererIndex: index });
    expect(recorded.windowOptions?.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      preload: '/p.cjs',
    });
  });

  it('routes a call from the console window and refuses any other sender', async () => {
    const win = createMainWindow({ preload: '/p.cjs', rendererIndex: index });
    const router = new Router();
    router.register({ 'app.info': () => ({ name: 'x' }) as never });
    registerIpcTransport(router, win, index);
    const handler = recorded.handlers.get(IPC_CALL)!;

    const ours = { sender: { id: 7 }, senderFrame: { url: `file://${index}` } };
    expect(await handler(ours, 'app.info', {})).toEqual({ ok: true, result: { name: 'x' } });

    const foreignFrame = { sender: { id: 7 }, senderFrame: { url: 'https://evil.example/' } };
    expect(await handler(foreignFrame, 'app.info', {})).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED' },
    });
    const otherWindow = { sender: { id: 8 }, senderFrame: { url: `file://${index}` } };
    expect(await handler(otherWindow, 'app.info', {})).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED' },
    });
    expect(await handler(ours, 42, {})).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it("forwards router events to the window, one turn's events as one message", async () => {
    const win = createMainWindow({ preload: '/p.cjs', rendererIndex: index });
    const router = new Router();
    registerIpcTransport(router, win, index);
    const status = (state: string) => ({ state }) as never;
    router.events.emit('stack.status', status('starting'));
    router.events.emit('stack.status', status('running'));
    expect(recorded.sent).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    router.events.emit('stack.status', status('stopping'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(recorded.sent).toEqual([
      [
        IPC_EVENT,
        [
          { name: 'stack.status', payload: { state: 'starting' } },
          { name: 'stack.status', payload: { state: 'running' } },
        ],
      ],
      [IPC_EVENT, [{ name: 'stack.status', payload: { state: 'stopping' } }]],
    ]);
  });

  it("sends the open cycle's progress at once, other cycles' with it, and takes the focus from the window only", async () => {
    const win = createMainWindow({ preload: '/p.cjs', rendererIndex: index });
    const router = new Router();
    registerIpcTransport(router, win, index);
    const focus = recorded.listeners.get(IPC_FOCUS)!;
    const progress = (workflowId: string) =>
      ({ workflowId, table: 'workflow_phases', kind: 'phase:completed', at: '' }) as never;
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    // Another window's focus, and a malformed one, change nothing.
    focus({ sender: { id: 8 }, senderFrame: { url: `file://${index}` } }, ['cycle-b']);
    focus({ sender: { id: 7 }, senderFrame: { url: `file://${index}` } }, 'cycle-b');
    router.events.emit('workflow.progress', progress('cycle-b'));
    await turn();
    expect(recorded.sent).toEqual([]);
    focus({ sender: { id: 7 }, senderFrame: { url: `file://${index}` } }, ['cycle-a']);
    router.events.emit('workflow.progress', progress('cycle-a'));
    await turn();
    expect(recorded.sent).toEqual([
      [
        IPC_EVENT,
        [
          { name: 'workflow.progress', payload: progress('cycle-b') },
          { name: 'workflow.progress', payload: progress('cycle-a') },
        ],
      ],
    ]);
  });
});
