// The headless CLI across separate processes, and the errors an operator meets: a taken port, a missing binary.
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createConsole } from '../../../main/console';
import { runCli } from '../../support/cli';
import { scratchHome } from '../../support/console-process';
import { freeStackSettings } from '../../support/stack-settings';

const cli = (home: string, ...args: string[]) => runCli(home, args);

const homes: string[] = [];
afterAll(async () => {
  for (const home of homes) await cli(home, 'stack', 'down');
});

describe('ops-console CLI', () => {
  it('brings the stack up in one process, validates it from another, and takes it down from a third', async () => {
    const home = scratchHome(await freeStackSettings());
    homes.push(home);
    const up = await cli(home, 'stack', 'up');
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('stack running');

    const doctor = await cli(home, 'doctor', '--json');
    expect(doctor.code).toBe(0);
    const report = JSON.parse(doctor.stdout) as {
      overall: string;
      checks: Array<{ id: string; status: string }>;
    };
    expect(report.overall).toBe('healthy');
    expect(report.checks.filter((c) => c.status === 'failed')).toEqual([]);

    const status = JSON.parse((await cli(home, 'stack', 'status', '--json')).stdout) as {
      services: Array<{ pid?: number }>;
    };
    const pids = status.services.map((s) => s.pid).filter(Boolean) as number[];
    expect(pids).toHaveLength(3);

    const down = await cli(home, 'stack', 'down');
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('stack stopped');
    for (const pid of pids)
      expect(
        fs.existsSync(`/proc/${pid}`) && !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '),
      ).toBe(false);

    const failing = await cli(home, 'doctor', '--json', '--no-integration');
    expect(failing.code).toBe(1);
    const failed = JSON.parse(failing.stdout) as { checks: Array<{ status: string; fix?: string }> };
    expect(failed.checks.find((c) => c.status === 'failed')?.fix).toMatch(/Start the stack/);
  });

  it('refuses to start on a taken port, naming it, its owner and a free alternative, and starts nothing', async () => {
    const settings = await freeStackSettings();
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(settings.stack.ports.temporal, '127.0.0.1', () => r()));
    const home = scratchHome(settings);
    homes.push(home);
    const ops = createConsole({ mode: 'cli', dataDir: home, env: {} });
    try {
      const outcome = await ops.router.call('stack.start', {});
      expect(outcome.ok).toBe(false);
      if (outcome.ok) return;
      expect(outcome.error.code).toBe('PORT_IN_USE');
      expect(outcome.error.message).toContain(`${settings.stack.ports.temporal} (temporal) is taken by node`);
      expect(outcome.error.hint).toMatch(/temporal: try \d+/);
      const status = await ops.router.invoke('stack.status', {});
      expect(status.services.every((s) => s.state !== 'running')).toBe(true);
      const checks = await ops.router.invoke('stack.checkPorts', {});
      const taken = checks.find((c) => c.service === 'temporal');
      expect(taken).toMatchObject({ free: false });
      expect(taken?.suggestion).not.toBe(settings.stack.ports.temporal);
    } finally {
      blocker.close();
      await ops.shutdown();
    }
  });

  it('names a missing binary and how to get it', async () => {
    const settings = await freeStackSettings();
    const home = scratchHome({
      stack: { ...settings.stack, binaries: { temporalServer: '/opt/nowhere/temporal-server' } },
    });
    const result = await cli(home, 'stack', 'up');
    expect(result.stdout + result.stderr).toContain('/opt/nowhere/temporal-server');
    expect(result.stdout + result.stderr).toMatch(/npm run setup/);
    const validate = await cli(home, 'config', 'validate', '--json');
    expect(validate.code).toBe(1);
    expect(JSON.parse(validate.stdout).problems[0]).toMatchObject({ where: 'stack.binaries' });
  });

  it('reports a corrupt settings file precisely from config validate', async () => {
    const home = scratchHome();
    fs.writeFileSync(`${home}/settings.json`, '{"stack": {"ports": {"appPostgres": "five"}}}');
    const result = await cli(home, 'config', 'validate');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('stack.ports.appPostgres');
  });

  it('prints help naming every command', async () => {
    const help = await cli(scratchHome(), '--help');
    for (const command of ['serve', 'up', 'stack', 'doctor', 'config'])
      expect(help.stdout).toContain(command);
  });
});
