// Point-in-time recovery from the Recovery page in real Chromium, against the real embedded stack with archiving.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser';
import { scratchHome, startConsole, type ConsoleProcess } from '../support/console-process';
import { freeStackSettings } from '../support/stack-settings';

let browser: Browser;
let consoleProcess: ConsoleProcess;
let page: Page;
let appPort: number;
const browserLog: string[] = [];

async function appQuery(sql: string) {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const secrets = JSON.parse(
    fs.readFileSync(path.join(consoleProcess.home, 'secrets.json'), 'utf8'),
  ) as Record<string, string>;
  const client = new pg.Client({
    host: '127.0.0.1',
    port: appPort,
    user: 'ops',
    password: secrets['stack.appPostgres.password'],
    database: 'synapse_dt',
  });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  const settings = await freeStackSettings();
  appPort = settings.stack.ports.appPostgres;
  const home = scratchHome({
    ...settings,
    stack: {
      ...settings.stack,
      archiving: { enabled: true, segmentTimeoutS: 60, baseBackupEveryH: 0, keepBaseBackups: 2 },
    },
  });
  consoleProcess = await startConsole('up', home, 180_000);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  page.on('console', (m) => browserLog.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => browserLog.push(`pageerror: ${e.message}`));
  await page.goto(consoleProcess.url);
  await page.locator('[data-testid=connection-indicator][data-state=connected]').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await consoleProcess?.stop();
});

describe('the Recovery page in Chromium', () => {
  it('shows archiving health for both clusters and takes a base backup', async () => {
    // `up` starts the stack after serving: wait until it runs, then open the Recovery page.
    await page.goto(consoleProcess.url + '#/stack');
    await page.locator('[data-testid=stack-state]', { hasText: 'running' }).waitFor({ timeout: 120_000 });
    await page.goto(consoleProcess.url + '#/recovery');
    await page.getByTestId('archive-app-postgres').waitFor({ timeout: 60_000 });
    await page.getByTestId('archive-temporal-postgres').waitFor();
    await page.getByTestId('recovery-base-backup').click();
    await page.getByTestId('recovery-refresh').click();
    for (const id of ['app-postgres', 'temporal-postgres'])
      await page
        .locator(`[data-testid=archive-${id}]:not([data-base-backups="0"])`)
        .waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('archive-app-postgres').textContent()).toContain('archiving');
    await page.getByTestId('recovery-timeline').waitFor();
    await screenshot(page, 'recovery-health');
  }, 300_000);

  it('offers only completed phases and cycles to recover to, and names the formats of an unreadable moment', async () => {
    const kinds = await page
      .getByTestId('timeline-mark')
      .evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.kind));
    for (const kind of kinds) expect(['phase', 'cycle']).toContain(kind);
    await expect(page.locator('main').textContent()).resolves.not.toContain('lag ?');
    await page.getByTestId('recovery-to').fill('yesterday at 3');
    await expect(page.locator('main').textContent()).resolves.toContain(
      'Write the moment as YYYY-MM-DD HH:MM or YYYY-MM-DD HH:MM:SS (your local time), or an ISO moment such as 2026-11-25T14:02:59Z; "yesterday at 3" is not one of these.',
    );
    await expect(page.getByTestId('recovery-check').isDisabled()).resolves.toBe(true);
    await screenshot(page, 'recovery-unreadable-moment');
    await page.getByTestId('recovery-to').fill('');
  });

  it('recovers both databases to a chosen moment after a confirmation', async () => {
    await appQuery(`CREATE TABLE e2e_marks (note text)`);
    await appQuery(`INSERT INTO e2e_marks VALUES ('kept')`);
    await new Promise((r) => setTimeout(r, 1_100));
    const moment = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 1_100));
    await appQuery(`INSERT INTO e2e_marks VALUES ('undone')`);

    await page.getByTestId('recovery-to').fill(moment);
    await page.getByTestId('recovery-check').click();
    await page
      .getByTestId('recovery-plan')
      .filter({ hasText: '✓ temporal-postgres' })
      .waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('recovery-plan').textContent()).toContain('✓ app-postgres');
    await page.getByTestId('recovery-recover').click();
    await expect(page.getByTestId('confirm-dialog').textContent()).resolves.toContain('synapse_dt');
    await page.getByTestId('confirm-dialog-confirm').click();
    // The result, or the error the page shows instead (so a failure says why).
    await page
      .locator('[data-testid=recovery-result], [data-testid=error-alert], [data-testid=page-failure]')
      .first()
      .waitFor({ timeout: 300_000 })
      .catch(async (err: Error) => {
        await screenshot(page, 'recovery-stuck');
        const shown = await page.evaluate(() => document.body.innerText);
        throw new Error(
          `${err.message}\npage: ${shown}\nbrowser: ${browserLog.slice(-40).join('\n')}\n${consoleProcess.output().slice(-6000)}`,
        );
      });
    for (const failure of ['page-failure', 'error-alert'])
      if (await page.getByTestId(failure).count())
        throw new Error(
          `recovery failed: ${await page.getByTestId(failure).first().textContent()}\n${consoleProcess.output().slice(-3000)}`,
        );
    await screenshot(page, 'recovery-done');
    expect(await appQuery('SELECT note FROM e2e_marks')).toEqual([{ note: 'kept' }]);
    // The archive cards read the recovered clusters (the last archived file is then the new timeline's history).
    await page.getByTestId('recovery-refresh').click();
    await page.getByTestId('archive-app-postgres').waitFor();
    expect(await page.getByTestId('page-failure').count()).toBe(0);
  }, 360_000);
});
