// The log viewer over the files on disk and the service alerts, in real Chromium against a stack started by `up`.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser';
import { scratchHome, startConsole, type ConsoleProcess } from '../support/console-process';
import { freeStackSettings } from '../support/stack-settings';
import { createConsole } from '../../main/console';

let browser: Browser;
let consoleProcess: ConsoleProcess;
let page: Page;
let appPg: { port: number; user: string; password: string; database: string };
let home: string;

function appDb(password = appPg.password) {
  return new pg.Client({
    host: '127.0.0.1',
    port: appPg.port,
    user: appPg.user,
    password,
    database: appPg.database,
  });
}

beforeAll(async () => {
  home = scratchHome(await freeStackSettings());
  consoleProcess = await startConsole('up', home, 240_000);
  // The connection as the console made it (the password is generated per installation, in the secret store).
  const reader = createConsole({ mode: 'cli', dataDir: home, env: {} });
  appPg = reader.stack.spec().appPostgres;
  await reader.shutdown();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  await page.goto(consoleProcess.url);
  await page.locator('[data-testid=connection-indicator][data-state=connected]').waitFor();
  await page
    .locator('[data-testid=service-card-app-postgres][data-health=healthy]')
    .waitFor({ timeout: 60_000 });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await consoleProcess?.stop();
});

describe('the log viewer', () => {
  it('pages back through a long log, filters a level and wraps', async () => {
    // 9 000 lines of app PostgreSQL's own log (RAISE LOG goes to the server log only, with its context and
    // statement), then a few warnings.
    const client = appDb();
    await client.connect();
    await client.query(
      `DO $$ BEGIN FOR i IN 1..3000 LOOP RAISE LOG 'filler % %', i, CASE WHEN i = 2999 THEN repeat('long text ', 40) ELSE '' END; END LOOP;
       FOR i IN 1..3 LOOP RAISE WARNING 'disk almost full %', i; END LOOP; END $$`,
    );
    await client.end();
    // The server's output reaches the file through the console; on a loaded machine that takes a while. Open the
    // viewer once all of it is on disk, so that what it shows first is one page of a long file, not lines that
    // arrived while it followed.
    const file = path.join(home, 'logs', 'app-postgres.log');
    await expect
      .poll(() => fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('disk almost full 3'), {
        timeout: 90_000,
        interval: 250,
      })
      .toBe(true);

    await page.getByTestId('logs-app-postgres').click();
    await page.getByTestId('file-log-line').first().waitFor({ timeout: 60_000 });
    await page
      .locator('[data-testid=file-log-line]', { hasText: 'disk almost full 3' })
      .waitFor({ timeout: 90_000 });
    const count = async () => Number(await page.getByTestId('file-log-count').getAttribute('data-count'));
    const first = await count();
    expect(first).toBeLessThan(9_000);
    // Scrolling up stops following; at the top the viewer asks for the page above, again and again.
    await page.getByTestId('file-log-follow').click();
    const lines = page.getByTestId('file-log-lines');
    for (let i = 0; i < 3; i++) {
      const before = await count();
      await lines.evaluate((el) => el.scrollTo({ top: 0 }));
      await page.waitForFunction(
        (n) => Number(document.querySelector('[data-testid=file-log-count]')?.getAttribute('data-count')) > n,
        before,
        { timeout: 30_000 },
      );
    }
    expect(await count()).toBeGreaterThan(first);

    await page.getByTestId('file-log-level-warn').click();
    await page.locator('[data-testid=file-log-line][data-level=warn]').first().waitFor({ timeout: 30_000 });
    await page
      .locator('[data-testid=file-log-line][data-level=info]')
      .waitFor({ state: 'detached', timeout: 30_000 });
    const levels = await page
      .locator('[data-testid=file-log-line]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-level')));
    expect(new Set(levels)).toEqual(new Set(['warn']));
    await page.getByTestId('file-log-level-warn').click();

    await page.getByTestId('file-log-search').fill('filler 2999 ');
    await page
      .locator('[data-testid=file-log-line]', { hasText: 'filler 2999 ' })
      .waitFor({ timeout: 30_000 });
    const line = page.locator('[data-testid=file-log-line]', { hasText: 'filler 2999 ' });
    const oneRow = (await line.boundingBox())!.height;
    await page.getByTestId('file-log-wrap').click();
    await expect(page.getByTestId('file-log-lines').getAttribute('data-wrap')).resolves.toBe('true');
    await page.waitForFunction(
      (h) => {
        const el = [...document.querySelectorAll('[data-testid=file-log-line]')].find((e) =>
          e.textContent?.includes('filler 2999 '),
        );
        return el && el.getBoundingClientRect().height > h * 1.5;
      },
      oneRow,
      { timeout: 10_000 },
    );
    await screenshot(page, 'log-viewer-wrapped');
    await page.keyboard.press('Escape');
  });
});

describe('service alerts', () => {
  it('shows an authentication-failure burst on the app PostgreSQL card with its lines and fix', async () => {
    await page.keyboard.press('Escape');
    for (let i = 0; i < 12; i++) {
      const client = appDb('wrong-password');
      await client.connect().then(
        () => client.end(),
        () => undefined,
      );
    }
    const alert = page.locator(
      '[data-testid=service-card-app-postgres] [data-testid=service-alert-app-postgres]',
    );
    await alert.waitFor({ timeout: 30_000 });
    await expect(alert.getAttribute('data-kind')).resolves.toBe('auth-failures');
    await expect(alert.textContent()).resolves.toContain('What to do');
    await expect(
      page.locator('[data-testid=service-alert-list] [data-testid=service-alert-app-postgres]').count(),
    ).resolves.toBeGreaterThan(0);
    await alert.getByRole('button', { name: /Show the/ }).click();
    await expect(alert.textContent()).resolves.toContain('password authentication failed');
    await alert.scrollIntoViewIfNeeded();
    await screenshot(page, 'service-alert-card');
    await alert.getByTestId('service-alert-ack-app-postgres').click();
    await alert.waitFor({ state: 'detached' });
  });
});
