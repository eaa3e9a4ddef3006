// The control socket on its own (no stack): who may connect, what a killed console leaves behind, two consoles.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createConsole } from '../../../main/console';
import { controlSocketPath, findRunningConsole, startControlSocket } from '../../../main/control';
import { scratchHome } from '../../support/console-process';

const home = scratchHome();
const ops = createConsole({ mode: 'browser', dataDir: home, env: {} });

afterAll(() => ops.shutdown());

describe('the control socket', () => {
  it('is made 0600 and answers calls as the console, recording writes as via cli', async () => {
    const control = await startControlSocket({ router: ops.router, dataDir: home });
    try {
      expect(control?.path).toBe(controlSocketPath(home));
      expect(fs.statSync(control!.path).mode & 0o777).toBe(0o600);
      const running = await findRunningConsole(home);
      const info = await running!.call('app.info', {});
      expect(info).toMatchObject({ ok: true, result: { mode: 'browser', pid: process.pid } });
      const saved = await running!.call('settings.update', { worker: { processes: 2 } });
      expect(saved.ok).toBe(true);
      const bad = await running!.call('settings.update', { stack: { ports: { temporal: 80 } } });
      expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      const audit = await running!.call('audit.list', {});
      expect(audit).toMatchObject({ ok: true });
      expect(ops.audit.list({}).entries).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ op: 'settings.update', via: 'cli', outcome: 'ok' }),
        ]),
      );
      // A second console for the same data folder leaves the first one answering.
      expect(await startControlSocket({ router: ops.router, dataDir: home })).toBeUndefined();
      const garbage = await new Promise<string>((resolve) => {
        const socket = net.createConnection(control!.path, () => socket.write('not json\n'));
        socket.once('data', (d) => {
          socket.destroy();
          resolve(d.toString());
        });
      });
      expect(JSON.parse(garbage)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    } finally {
      await control?.close();
    }
    expect(fs.existsSync(controlSocketPath(home))).toBe(false);
  });

  it('treats a socket left by a killed console as no console, and a new console takes its place', async () => {
    const file = controlSocketPath(home);
    // What a SIGKILLed console leaves: a socket file nobody listens on.
    spawnSync(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(file)}, () => process.kill(process.pid, 'SIGKILL'))`,
    ]);
    expect(fs.existsSync(file)).toBe(true);
    expect(await findRunningConsole(home)).toBeUndefined();
    const control = await startControlSocket({ router: ops.router, dataDir: home });
    try {
      expect(await findRunningConsole(home)).toBeDefined();
    } finally {
      await control?.close();
    }
  });
});
