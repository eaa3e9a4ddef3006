// MOCK: the Electron binary cannot run on these machines, so the electron module is an empty stand-in; the
// tray's menu is built by our code from the stack state and is what is tested.
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({}));

const { trayMenu } = await import('../../../main/electron/tray');

const noop = { startAll: () => undefined, stopAll: () => undefined, showWindow: () => undefined };
const item = (state: string, label: string) => trayMenu(state, noop).find((i) => i.label === label);

describe('tray menu', () => {
  it('shows the state and offers Start all, Stop all and the window', () => {
    const labels = trayMenu('running', noop).map((i) => i.label);
    expect(labels).toEqual([
      'Stack: running',
      undefined,
      'Start all',
      'Stop all',
      undefined,
      'Open Ops Console',
    ]);
  });

  it('offers Stop all only while something runs and Start all only when it is not running', () => {
    expect(item('running', 'Stop all')?.enabled).toBe(true);
    expect(item('running', 'Start all')?.enabled).toBe(false);
    expect(item('stopped', 'Stop all')?.enabled).toBe(false);
    expect(item('stopped', 'Start all')?.enabled).toBe(true);
    expect(item('degraded', 'Start all')?.enabled).toBe(true);
    expect(item('starting', 'Stop all')?.enabled).toBe(false);
  });
});
