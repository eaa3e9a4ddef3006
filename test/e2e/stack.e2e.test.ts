// One-click stack in real Chromium against the real local provider: Start all, every card healthy, logs, Stop all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser';
import { scratchHome, startConsole, type ConsoleProcess } from '../support/console-process';
import { freeStackSettings } from '../support/stack-settings';

let browser: Browser;
let consoleProcess: ConsoleProcess;
let page: Page;

beforeAll(async () => {
  consoleProcess = await startConsole('serve', scratchHome(await freeStackSettings({ enableUi: true })));
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  await page.goto(consoleProcess.url);
  await page.locator('[data-testid=connection-indicator][data-state=connected]').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await consoleProcess?.stop();
});

describe('the Stack page in Chromium', () => {
  it('starts the whole stack with one click and shows every service healthy', async () => {
    await page.getByTestId('stack-start-all').click();
    await page
      .getByTestId('start-progress')
      .waitFor({ timeout: 10_000 })
      .catch(() => undefined);
    for (const id of ['app-postgres', 'temporal-postgres', 'temporal', 'temporal-ui']) {
      await page
        .locator(`[data-testid=service-card-${id}][data-health=healthy]`)
        .waitFor({ timeout: 90_000 });
    }
    await expect(page.getByTestId('stack-state').textContent()).resolves.toBe('running');
    await expect(page.title()).resolves.toBe('Ops Console — stack running');
    await expect(page.getByTestId('service-card-temporal').textContent()).resolves.toContain('1.29.1');
    await screenshot(page, 'stack-running');
  });

  it('validates the running stack and shows every check', async () => {
    await page.getByTestId('stack-validate').click();
    await page.locator('[data-testid=validation-report][data-overall=healthy]').waitFor({ timeout: 30_000 });
    await expect(
      page.locator('[data-testid=check-integration\\.workflow][data-status=healthy]').count(),
    ).resolves.toBe(1);
    await screenshot(page, 'stack-validated');
  });

  it("opens a service's log file and searches all of it", async () => {
    await page.getByTestId('logs-temporal').click();
    await page.getByTestId('file-log').waitFor();
    await page.getByTestId('file-log-line').first().waitFor({ timeout: 15_000 });
    await page.getByTestId('file-log-search').fill('namespace');
    await page
      .locator('[data-testid=file-log-count]', { hasText: 'from the start' })
      .waitFor({ timeout: 30_000 });
    // A match may be in a line's folded fields: unfolding it shows the whole line. The log grows live and a line
    // may be redrawn under the click, so the first match is unfolded until its whole text shows.
    await expect
      .poll(
        async () => {
          const line = page.getByTestId('file-log-line').first();
          if ((await line.getAttribute('aria-expanded')) === 'false') await line.click();
          return (await line.textContent())?.toLowerCase() ?? '';
        },
        { timeout: 15_000 },
      )
      .toContain('namespace');
    await screenshot(page, 'stack-logs');
    // The line clicked may have been redrawn (the log grows live): Escape from the search field, inside the dialog.
    await page.getByTestId('file-log-search').focus();
    await page.keyboard.press('Escape');
    await page.getByTestId('service-log-dialog').waitFor({ state: 'hidden' });
  });

  it('asks before Stop all, names what stops, and stops everything', async () => {
    await page.getByTestId('stack-stop-all').click();
    const dialog = page.getByTestId('confirm-dialog');
    await expect(dialog.textContent()).resolves.toContain('Temporal server');
    await expect(dialog.textContent()).resolves.toContain('data is kept');
    await page.getByTestId('confirm-dialog-confirm').click();
    await page.locator('[data-testid=stack-state]', { hasText: 'stopped' }).waitFor({ timeout: 60_000 });
    for (const id of ['app-postgres', 'temporal-postgres', 'temporal']) {
      await expect(page.getByTestId(`service-state-${id}`).textContent()).resolves.toBe('stopped');
    }
    await screenshot(page, 'stack-stopped');
  });
});
