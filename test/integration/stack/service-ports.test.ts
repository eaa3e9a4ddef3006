// The stack's own ports stay its own: Temporal's internal ports never take one of them (a service not running yet,
// such as the Web UI during a restart, leaves its port free), and a Web UI that cannot listen because another
// process took its port after the start's check says so, with that process, instead of "exited".
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createConsole } from '../../../main/console';
import { resolveBinaries } from '../../../main/stack';
import { allocateTemporalPorts } from '../../../main/stack/local/temporal-config';
import { LocalTemporalUi } from '../../../main/stack/local/ui';
import { freePortInRange } from '../../../main/stack/ports';
import { scratchHome } from '../../support/console-process';
import { freePort } from '../../support/ports';

let ops: ReturnType<typeof createConsole> | undefined;
const listeners: net.Server[] = [];

afterEach(async () => {
  for (const l of listeners.splice(0)) await new Promise((resolve) => l.close(resolve));
  await ops?.shutdown();
  ops = undefined;
});

/** Another process's listener: it holds the port and hangs up on whoever connects. */
function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe("the stack's ports", () => {
  it("are kept out of Temporal's internal ports", async () => {
    const spread = 4_321;
    // The membership port the spread would give first, reserved as if it were the Web UI's.
    const first = await freePortInRange(20_000, 32_000, spread, new Set());
    const unreserved = await allocateTemporalPorts(7_233, spread);
    expect(unreserved.frontendMembership).toBe(first);
    const reserved = [first, unreserved.history, unreserved.worker];
    const ports = await allocateTemporalPorts(7_233, spread, reserved);
    const values = Object.values(ports);
    for (const port of reserved) expect(values).not.toContain(port);
    expect(new Set(values).size).toBe(values.length);
  });

  it('name the process that took the Web UI port, when the Web UI cannot listen on it', async () => {
    ops = createConsole({ mode: 'cli', dataDir: scratchHome(), env: {} });
    const spec = { ...ops.stack.spec(), temporalUi: { enabled: true, port: await freePort() } };
    // Taken after the start's check: the server starts, cannot listen, and exits (its own log hides why).
    listeners.push(await listen(spec.temporalUi.port));
    const binary = resolveBinaries(ops.settings.get(), { ui: true }).temporalUiServer!;
    const ui = new LocalTemporalUi(scratchHome(), spec, binary);
    const failure = await ui.start(AbortSignal.timeout(30_000)).catch((err: unknown) => err);
    expect(failure).toMatchObject({
      code: 'PORT_IN_USE',
      message: expect.stringContaining(`127.0.0.1:${spec.temporalUi.port}`),
      hint: expect.stringContaining('Settings → Stack → ports'),
    });
    expect((failure as Error).message).toMatch(/node|another process/);
    expect(ui.server.pid()).toBeUndefined();
  });
});
