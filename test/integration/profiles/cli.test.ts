// `ops-console profile …`, `--profile` and `ops-console audit` across separate processes (no stack needed).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli';
import { scratchHome } from '../../support/console-process';

const home = scratchHome();

const cli = (args: string[], env: Record<string, string> = {}) => runCli(home, args, env);

describe('profiles and the audit trail from the CLI', () => {
  it('adds, lists, switches, refuses writes on production, unlocks, and lists the audit trail', async () => {
    const ca = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cli-ca-')), 'ca.pem');
    fs.writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const add = await cli(
      [
        'profile',
        'add',
        'prod-eu',
        '--production',
        '--temporal',
        '127.0.0.1:1',
        '--tls',
        '--tls-ca',
        ca,
        '--app-pg',
        '127.0.0.1:1',
        '--app-sslmode',
        'verify-full',
        '--app-ca',
        ca,
        '--app-password-env',
        'PROD_PG_PASSWORD',
      ],
      { PROD_PG_PASSWORD: 's3cret-pg' },
    );
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(fs.readFileSync(path.join(home, 'profiles.json'), 'utf8')).not.toContain('s3cret-pg');
    expect((await cli(['profile', 'add', 'sandbox', '--provider', 'local'])).code).toBe(0);

    // --profile looks at a profile in this process only.
    const once = await cli(['--profile', 'prod-eu', 'profile', 'list']);
    expect(once.stdout).toMatch(/\* prod-eu/);
    expect(once.stdout).toMatch(/read-only \(production\)/);
    expect((await cli(['profile', 'list'])).stdout).toMatch(/\* embedded/);
    const unknown = await cli(['--profile', 'nope', 'profile', 'list']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/no profile named "nope"/);

    expect((await cli(['profile', 'use', 'prod-eu'])).stdout).toMatch(/production, read-only/);
    const refused = await cli(['stack', 'up']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /READ_ONLY: Profile "prod-eu" is production and read-only: stack.start was refused/,
    );

    const badUnlock = await cli(['profile', 'unlock', 'prod-eu', '--confirm', 'prod']);
    expect(badUnlock.code).toBe(2);
    const unlock = await cli(['profile', 'unlock', 'prod-eu', '--confirm', 'prod-eu', '--minutes', '5']);
    expect(unlock.stdout).toMatch(/unlocked until/);
    // Unlocked: the write reaches the provider (an attached stack is never started from here).
    const attached = await cli(['stack', 'up']);
    expect(attached.stderr).toMatch(/NOT_SUPPORTED: The stack of profile "prod-eu" runs elsewhere/);

    const test = await cli(['profile', 'test']);
    expect(test.code).toBe(1);
    expect(test.stdout).toMatch(/✗ app-postgres/);

    const audit = await cli(['audit', '--json', '--limit', '50']);
    const { entries } = JSON.parse(audit.stdout) as { entries: Array<{ op: string; outcome: string }> };
    expect(entries.map((e) => `${e.op}:${e.outcome}`).reverse()).toEqual([
      'profiles.save:ok',
      'profiles.save:ok',
      'profiles.use:ok',
      'stack.start:refused',
      'profiles.unlock:failed',
      'profiles.unlock:ok',
      'stack.start:failed',
    ]);
    expect(audit.stdout).not.toContain('s3cret-pg');
    const refusedOnly = await cli(['audit', '--outcome', 'refused']);
    expect(refusedOnly.stdout).toMatch(/stack\.start\s+refused/);
    expect(refusedOnly.stdout).toMatch(/1 of 1 entries/);
    const out = path.join(home, 'export.csv');
    expect((await cli(['audit', '--export', out])).stdout).toMatch(/7 entries written/);
    expect(fs.readFileSync(out, 'utf8').split('\n')[0]).toMatch(/^time,profile,production,operator/);
  });
});
