// One installation, one console: while a console runs (`serve` here), the CLI acts through it over the local
// control socket (same stack, same audit trail, recorded as `via: cli`); with none running it acts alone.
import fs from 'node:fs';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli';
import { scratchHome, startConsole, type ConsoleProcess } from '../../support/console-process';
import { freeStackSettings } from '../../support/stack-settings';
import { waitFor } from '../../support/cycle-stack';
import { controlSocketPath } from '../../../main/control';

let home: string;
let running: ConsoleProcess | undefined;
let ws: WebSocket | undefined;

const cli = (...args: string[]) => runCli(home, args);

interface AuditEntry {
  op: string;
  via: string;
  outcome: string;
}

afterAll(async () => {
  ws?.close();
  await running?.stop();
  await cli('stack', 'down');
});

describe('the CLI and a running console', () => {
  it('acts through the running console: stack status, backup create and audit see its stack and trail', async () => {
    home = scratchHome(await freeStackSettings());
    running = await startConsole('serve', home);
    const socket = controlSocketPath(home);
    expect(fs.statSync(socket).mode & 0o777).toBe(0o600);

    const info = JSON.parse((await cli('info')).stdout) as {
      pid: number;
      mode: string;
      cli: { actsThrough: string; consolePid: number };
    };
    expect(info.cli.actsThrough).toBe('running console');
    expect(info.pid).toBe(running.child.pid);
    expect(info.mode).toBe('browser');

    // A browser page of that console sees what the CLI does, as it happens.
    const events: Array<{ name: string; payload: unknown }> = [];
    ws = new WebSocket(running.url.replace('http://', 'ws://').replace('/?token=', '/api?token='));
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as {
        type: string;
        events?: Array<{ name: string; payload: unknown }>;
      };
      if (frame.type === 'events') events.push(...frame.events!);
    });
    await new Promise((resolve) => ws!.once('open', resolve));

    const up = await cli('stack', 'up');
    expect(up.code, up.stderr).toBe(0);
    expect(events.some((e) => e.name === 'stack.status')).toBe(true);
    const status = JSON.parse((await cli('stack', 'status', '--json')).stdout) as { state: string };
    expect(status.state).toBe('running');

    const backup = await cli('backup', 'create', '--json');
    expect(backup.code, backup.stderr).toBe(0);
    const set = JSON.parse(backup.stdout) as { id: string };
    await waitFor(
      () =>
        events.some(
          (e) =>
            e.name === 'audit.appended' &&
            (e.payload as AuditEntry).op === 'backups.create' &&
            (e.payload as AuditEntry).via === 'cli',
        ),
      10_000,
      'the console to record the backup in its audit trail',
    );

    const audit = JSON.parse((await cli('audit', '--json')).stdout) as { entries: AuditEntry[] };
    expect(audit.entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ op: 'stack.start', via: 'cli', outcome: 'ok' }),
        expect.objectContaining({ op: 'backups.create', via: 'cli', outcome: 'ok' }),
      ]),
    );
    const list = JSON.parse((await cli('backup', 'list', '--json')).stdout) as Array<{ id: string }>;
    expect(list.map((s) => s.id)).toContain(set.id);

    // A second supervisor of the worker is refused: the console supervises it.
    const worker = await cli('worker', 'start');
    expect(worker.code).not.toBe(0);
    expect(worker.stderr).toMatch(/A console runs for this data folder/);
  }, 240_000);

  it('acts alone when no console runs, on the same data folder', async () => {
    await running!.stop();
    running = undefined;
    expect(fs.existsSync(controlSocketPath(home))).toBe(false);

    const info = JSON.parse((await cli('info')).stdout) as {
      pid: number;
      mode: string;
      cli: { actsThrough: string };
    };
    expect(info.cli.actsThrough).toBe('alone');
    expect(info.mode).toBe('cli');

    const down = await cli('stack', 'down');
    expect(down.code, down.stderr).toBe(0);
    const audit = JSON.parse((await cli('audit', '--json')).stdout) as { entries: AuditEntry[] };
    expect(audit.entries.filter((e) => e.op === 'backups.create' && e.via === 'cli')).toHaveLength(1);
    expect(audit.entries.some((e) => e.op === 'stack.stop' && e.via === 'cli')).toBe(true);
  }, 120_000);
});
