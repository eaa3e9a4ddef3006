// A backup set made from the UI restores, from the UI, to a verified identical pair of databases (Chromium).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createConsole, type WiredConsole } from '../../main/console';
import type { BackupManifest } from '../../main/api/contract';
import { launchBrowser, screenshot } from '../support/browser';
import { scratchHome, startConsole, type ConsoleProcess } from '../support/console-process';
import { waitFor } from '../support/cycle-stack';
import { freeStackSettings } from '../support/stack-settings';
import { appRows } from '../support/app-db';

let browser: Browser;
let consoleProcess: ConsoleProcess;
let page: Page;
let local: WiredConsole;
const pageErrors: string[] = [];

const appQuery = <T>(sql: string) => appRows<T>(local.stack.spec(), sql);

beforeAll(async () => {
  if (!fs.existsSync('dist/renderer/index.html') || !fs.existsSync('dist/cli.mjs'))
    throw new Error('Run `node build.mjs` first.');
  consoleProcess = await startConsole('up', scratchHome(await freeStackSettings()));
  await waitFor(
    () => consoleProcess.output().includes('The embedded stack is running.'),
    120_000,
    'the stack to start',
  );
  // Reads the same settings and secrets as the console under test, to check the databases directly.
  local = createConsole({ mode: 'cli', dataDir: consoleProcess.home, env: {} });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(consoleProcess.url);
  await page.getByTestId('connection-indicator').and(page.locator('[data-state=connected]')).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await consoleProcess?.stop();
  await local?.shutdown();
});

describe('the Backups page', () => {
  it('makes a set with the backup wizard and restores it with the restore wizard', async () => {
    await page.getByTestId('nav-backups').click();
    await page.getByTestId('empty-state').waitFor();
    await page.getByTestId('open-backup-wizard').click();
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(page.getByTestId('backup-summary').textContent()).resolves.toMatch(/worker finishes/);
    await page.getByTestId('backup-start').click();
    await page.getByTestId('backup-done').waitFor({ timeout: 120_000 });
    await screenshot(page, 'backups-wizard-done');
    await page.getByRole('button', { name: 'Close' }).click();
    const row = page.locator('[data-testid^="set-"]').first();
    await expect(row.textContent()).resolves.toMatch(/synapse_dt, temporal, temporal_visibility.*verified/);

    // A row written after the backup: the restore must take it away.
    await appQuery(`INSERT INTO data_owners (name) VALUES ('written after the backup')`);

    await page.getByTestId('open-restore-wizard').click();
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('Every file was read in full').waitFor({ timeout: 120_000 });
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(page.getByTestId('restore-summary').textContent()).resolves.toMatch(
      /Replaces synapse_dt, temporal, temporal_visibility/,
    );
    await page.getByRole('button', { name: 'Next' }).click();
    const start = page.getByTestId('restore-start');
    for (const db of ['synapse_dt', 'temporal', 'temporal_visibility']) {
      await expect(start.isDisabled()).resolves.toBe(true);
      await page.getByTestId(`confirm-${db}`).fill(db);
    }
    await screenshot(page, 'restore-wizard-confirm');
    await start.click();
    // The result, or what the page or the console said instead (an intermittent stall here is under study).
    await page
      .locator('[data-testid=restore-done], [data-testid=error-alert]')
      .first()
      .waitFor({ timeout: 180_000 })
      .catch(() => undefined);
    if (!(await page.getByTestId('restore-done').count())) {
      await screenshot(page, 'restore-wizard-stalled');
      throw new Error(`the restore did not finish:\n${consoleProcess.output().slice(-4000)}`);
    }
    await screenshot(page, 'restore-wizard-done');
    await expect(page.getByTestId('restore-done').textContent()).resolves.toMatch(
      /Restored synapse_dt, temporal, temporal_visibility: \d+ tables match the backup \(each data file.s sha256 and each table.s row count\)/,
    );

    const sets = fs
      .readdirSync(path.join(consoleProcess.home, 'backups'))
      .filter((n) => !n.endsWith('.json'));
    const m = JSON.parse(
      fs.readFileSync(path.join(consoleProcess.home, 'backups', sets[0]!, 'manifest.json'), 'utf8'),
    ) as BackupManifest;
    const owners = m.databases[0]!.tables.find((t) => t.name === 'data_owners')!;
    const [count] = await appQuery<{ n: string }>('SELECT count(*)::text AS n FROM data_owners');
    expect(Number(count?.n)).toBe(owners.rows);
    expect(pageErrors).toEqual([]);
  }, 480_000); // a backup, a full verify and a restore: minutes on a loaded 2-core machine
});
