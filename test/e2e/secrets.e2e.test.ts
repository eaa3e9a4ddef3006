// Settings in Chromium when a cluster password is lost: the console says so, refuses to make a new one, and
// resets it only after the operator types the confirmation (real stack, real console, real Chromium).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser';
import { scratchHome, startConsole, type ConsoleProcess } from '../support/console-process';
import { freeStackSettings } from '../support/stack-settings';

let browser: Browser;
let consoleProcess: ConsoleProcess;
let page: Page;
let home: string;

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['dist/cli.mjs', '--home', home, ...args], { encoding: 'utf8' });

beforeAll(async () => {
  home = scratchHome({ ...(await freeStackSettings()), worker: { enabled: false } });
  expect(cli('stack', 'up').status).toBe(0);
  expect(cli('stack', 'down').status).toBe(0);
  fs.rmSync(path.join(home, 'secrets.json')); // the secrets file is lost; the clusters are not
  consoleProcess = await startConsole('serve', home);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  await page.goto(consoleProcess.url);
  await page.getByTestId('connection-indicator').and(page.locator('[data-state=connected]')).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await consoleProcess?.stop();
  cli('stack', 'down');
});

describe('a lost cluster password in Settings', () => {
  it('is reported with the reset path, and reset only after the typed confirmation', async () => {
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('secret-lost').waitFor();
    await expect(page.getByTestId('secret-lost').textContent()).resolves.toContain('none was made');
    await screenshot(page, 'settings-secret-lost');
    expect(fs.existsSync(path.join(home, 'secrets.json'))).toBe(false);

    await page.getByTestId('secret-reset-app-postgres').click();
    const confirm = page.getByTestId('confirm-dialog-confirm');
    await expect(confirm.isDisabled()).resolves.toBe(true);
    await page.getByTestId('secret-reset-confirm').fill('reset');
    await expect(confirm.isDisabled()).resolves.toBe(true);
    await page.getByTestId('secret-reset-confirm').fill('reset app-postgres');
    await screenshot(page, 'settings-secret-reset-confirm');
    await confirm.click();
    await page.getByTestId('secret-reset-app-postgres').waitFor({ state: 'detached', timeout: 60_000 });
    await expect(page.getByTestId('secret-reset-temporal-postgres').count()).resolves.toBe(1);
    expect(fs.readFileSync(path.join(home, 'secrets.json'), 'utf8')).toContain('stack.appPostgres.password');

    await page.getByTestId('theme-toggle').click();
    await screenshot(page, 'settings-secret-lost-dark');
  });
});
