// The stack's spec is read on every database call, so it is kept between calls; any change to what it is made
// from (a saved setting, a secret, the secrets file replaced by hand) is seen on the next call.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createConsole } from '../../../main/console';
import { scratchHome } from '../../support/console-process';

let ops: ReturnType<typeof createConsole> | undefined;

afterEach(async () => {
  await ops?.shutdown();
  ops = undefined;
});

describe("the stack's spec", () => {
  it('is handed out as a copy: a caller that changes it changes nothing for the next', () => {
    ops = createConsole({ mode: 'cli', dataDir: scratchHome(), env: {} });
    const first = ops.stack.spec();
    const port = first.appPostgres.port;
    first.appPostgres.port = 1;
    first.appPostgres.password = 'changed by a caller';
    const second = ops.stack.spec();
    expect(second.appPostgres.port).toBe(port);
    expect(second.appPostgres.password).not.toBe('changed by a caller');
    expect(second.appPostgres.password.length).toBeGreaterThan(10);
  });

  it('follows a saved setting and a secret set through the console', async () => {
    ops = createConsole({ mode: 'cli', dataDir: scratchHome(), env: {} });
    const before = ops.stack.spec();
    await ops.router.invoke('settings.update', { stack: { ports: { appPostgres: 55_432 } } });
    expect(ops.stack.spec().appPostgres.port).toBe(55_432);
    ops.secrets.set('stack.appPostgres.password', 'set-through-the-console');
    expect(ops.stack.spec().appPostgres.password).toBe('set-through-the-console');
    expect(ops.stack.spec().temporalPostgres.password).toBe(before.temporalPostgres.password);
  });

  it('follows the secrets file replaced by hand (a copy put back from elsewhere)', () => {
    const home = scratchHome();
    ops = createConsole({ mode: 'cli', dataDir: home, env: {} });
    const before = ops.stack.spec();
    const file = path.join(home, 'secrets.json');
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
    // The app cluster's password swapped for the Temporal cluster's, as another copy of the file would have it.
    stored['stack.appPostgres.password'] = stored['stack.temporalPostgres.password']!;
    fs.writeFileSync(`${file}.new`, JSON.stringify(stored), { mode: 0o600 });
    fs.renameSync(`${file}.new`, file);
    expect(ops.stack.spec().appPostgres.password).toBe(before.temporalPostgres.password);
  });
});
