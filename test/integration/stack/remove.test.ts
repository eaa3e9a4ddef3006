// Removing the embedded stack: data kept by default, moved aside (not destroyed) only with the typed confirmation.
import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsole, type WiredConsole } from '../../../main/console';
import { postgresUrl } from '../../../main/stack';
import { scratchHome } from '../../support/console-process';
import { freeStackSettings } from '../../support/stack-settings';

let ops: WiredConsole;

async function query(sql: string) {
  const spec = ops.stack.spec();
  const client = new pg.Client({
    connectionString: postgresUrl(spec.appPostgres, spec.appPostgres.database),
  });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  ops = createConsole({ mode: 'cli', dataDir: scratchHome(await freeStackSettings()), env: {} });
  await ops.router.invoke('stack.start', {});
  await query(`CREATE TABLE keep_me (note text); INSERT INTO keep_me VALUES ('still here')`);
});

afterAll(async () => {
  await ops.router.call('stack.stop', {});
  await ops.shutdown();
});

describe('stack.remove', () => {
  it('refuses to delete data without the typed confirmation, and changes nothing', async () => {
    const refused = await ops.router.call('stack.remove', { deleteData: true, confirm: 'yes' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toMatchObject({ code: 'INVALID_INPUT' });
    expect((await ops.router.invoke('stack.status', {})).state).toBe('running');
    expect(await query('SELECT note FROM keep_me')).toEqual([{ note: 'still here' }]);
  });

  it('keeps the data by default: a new start finds it', async () => {
    const removed = await ops.router.invoke('stack.remove', {});
    expect(removed.dataKept).toBe(true);
    expect((await ops.router.invoke('stack.status', {})).state).toBe('stopped');
    await ops.router.invoke('stack.start', {});
    expect(await query('SELECT note FROM keep_me')).toEqual([{ note: 'still here' }]);
  });

  it('moves the data aside with the confirmation, so a mistake can still be undone', async () => {
    const dataDir = ops.stack.spec().dataDir;
    const removed = await ops.router.invoke('stack.remove', { deleteData: true, confirm: 'delete data' });
    expect(removed.dataKept).toBe(false);
    expect(fs.existsSync(dataDir)).toBe(false);
    expect(removed.movedTo && fs.existsSync(removed.movedTo)).toBe(true);
    // A fresh start initialises empty databases: the old table is gone from the new stack.
    await ops.router.invoke('stack.start', {});
    expect(await query(`SELECT to_regclass('keep_me') AS t`)).toEqual([{ t: null }]);
    fs.rmSync(removed.movedTo!, { recursive: true, force: true });
  });
});
