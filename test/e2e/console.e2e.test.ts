// The console in real Chromium against `ops-console serve`: every page, settings persisted, theme, logs, the token.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser';
import { scratchHome, startConsole, type ConsoleProcess } from '../support/console-process';

let browser: Browser;
let consoleProcess: ConsoleProcess;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!fs.existsSync('dist/renderer/index.html') || !fs.existsSync('dist/cli.mjs'))
    throw new Error('Run `node build.mjs` first.');
  consoleProcess = await startConsole('serve', scratchHome());
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(msg.text());
  });
  await page.goto(consoleProcess.url);
  await page.getByTestId('connection-indicator').and(page.locator('[data-state=connected]')).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await consoleProcess?.stop();
});

describe('the console in Chromium (browser mode)', () => {
  it('opens every page from the navigation, each saying what it will show', async () => {
    for (const id of ['stack', 'workflows', 'compensation', 'metrics', 'backups', 'settings']) {
      await page.getByTestId(`nav-${id}`).click();
      await page.waitForURL(new RegExp(`#/${id}$`));
      await expect(page.locator('main h1').first().textContent()).resolves.toMatch(/\w/);
      await screenshot(page, `page-${id}`);
    }
    await page.getByTestId('nav-workflows').click();
    await expect(page.getByTestId('empty-state').textContent()).resolves.toContain('test cycle');
  });

  it('changes a setting, and after a reload sees it persisted', async () => {
    await page.getByTestId('nav-settings').click();
    const queue = page.getByTestId('setting-temporal.taskQueue');
    await queue.fill('e2e-cycles');
    // Log rotation: the size a log file grows to before a new one starts, and how many old parts stay.
    await page.getByTestId('setting-logs.maxFileMb').fill('64');
    await page.getByTestId('setting-logs.keepFiles').fill('9');
    await page.getByTestId('settings-save').click();
    await page.getByText('Settings saved').waitFor();
    await page.reload();
    await page.getByTestId('nav-settings').click();
    await expect(page.getByTestId('setting-temporal.taskQueue').inputValue()).resolves.toBe('e2e-cycles');
    await expect(page.getByTestId('setting-logs.maxFileMb').inputValue()).resolves.toBe('64');
    await expect(page.getByTestId('setting-logs.keepFiles').inputValue()).resolves.toBe('9');
    const file = JSON.parse(fs.readFileSync(`${consoleProcess.home}/settings.json`, 'utf8'));
    expect(file.temporal.taskQueue).toBe('e2e-cycles');
    expect(file.logs).toEqual({ maxFileMb: 64, keepFiles: 9 });
  });

  it('shows an invalid value inline and saves nothing', async () => {
    await page.getByTestId('nav-settings').click();
    const before = fs.readFileSync(`${consoleProcess.home}/settings.json`, 'utf8');
    await page.getByTestId('setting-stack.ports.appPostgres').fill('80');
    await page.getByTestId('setting-temporal.namespace').fill('bad namespace!');
    await page.getByTestId('setting-logs.keepFiles').fill('0');
    await page.getByTestId('settings-invalid').waitFor();
    // Checked with the contract's schema as it is typed: Save stays off, so nothing is sent.
    await expect(page.getByTestId('settings-save').isDisabled()).resolves.toBe(true);
    await expect(
      page.getByText('App PostgreSQL port: use a port from 1024 to 65535; you gave 80.').count(),
    ).resolves.toBe(1);
    await expect(
      page.getByText('Letters, digits, dot, dash and underscore only').count(),
    ).resolves.toBeGreaterThan(0);
    await expect(
      page.getByText('Old log files kept per service: keep at least 1 old file; you gave 0.').count(),
    ).resolves.toBe(1);
    await screenshot(page, 'settings-invalid');
    expect(fs.readFileSync(`${consoleProcess.home}/settings.json`, 'utf8')).toBe(before);
    await page.getByTestId('settings-reset').click();
  });

  it('switches to the dark theme and back, and the choice persists', async () => {
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.getByTestId('nav-stack').click();
    const mode = await page.getByTestId('app').getAttribute('data-theme-mode');
    const before = await background();
    await page.getByTestId('theme-toggle').click();
    const flipped = mode === 'dark' ? 'light' : 'dark';
    await page.locator(`[data-theme-mode=${flipped}]`).waitFor();
    expect(await background()).not.toBe(before);
    await screenshot(page, `theme-${flipped}`);
    await page.reload();
    await page.locator(`[data-theme-mode=${flipped}]`).waitFor();
    expect(JSON.parse(fs.readFileSync(`${consoleProcess.home}/settings.json`, 'utf8')).theme).toBe(flipped);
  });

  it('opens the log drawer with the console log streamed into it', async () => {
    await page.getByTestId('open-logs').click();
    await page.getByTestId('log-drawer').waitFor();
    await page.getByTestId('log-line').first().waitFor();
    await expect(page.getByTestId('log-line').allTextContents()).resolves.toEqual(
      expect.arrayContaining([expect.stringContaining('settings saved')]),
    );
    await page.getByTestId('drawer-log-search').fill('no such line anywhere');
    await page.getByText('No line matches.').waitFor();
    await screenshot(page, 'log-drawer');
    await page.keyboard.press('Escape');
  });

  it('reached the console without page errors', () => {
    expect(pageErrors).toEqual([]);
  });

  it('takes the token out of the address bar after the first load; a reload keeps working, a copied address does not', async () => {
    const token = new URL(consoleProcess.url).searchParams.get('token')!;
    const context = await browser.newContext();
    const tab = await context.newPage();
    const connected = (p: Page) =>
      p.getByTestId('connection-indicator').and(p.locator('[data-state=connected]')).waitFor();
    await tab.goto(consoleProcess.url);
    await connected(tab);
    expect(tab.url()).not.toContain(token);
    expect(tab.url()).not.toContain('token=');
    await tab.reload();
    await connected(tab);
    expect(tab.url()).not.toContain(token);
    // The address as it now stands, pasted into a new tab of the same browser: no token, no access.
    const copied = await context.newPage();
    await copied.goto(tab.url());
    await copied
      .locator('[data-testid=connection-indicator][data-state=unauthorized]')
      .waitFor({ timeout: 20_000 });
    await context.close();
  });

  it('gives a page opened without the token no access to the API', async () => {
    const stranger = await browser.newPage();
    await stranger.goto(consoleProcess.url.replace(/\?token=.*/, ''));
    await stranger
      .locator('[data-testid=connection-indicator][data-state=unauthorized]')
      .waitFor({ timeout: 20_000 });
    await expect(stranger.getByTestId('stack-state').count()).resolves.toBe(1);
    await expect(stranger.getByTestId('service-card-app-postgres').count()).resolves.toBe(0);
    await stranger.close();
  });
});
