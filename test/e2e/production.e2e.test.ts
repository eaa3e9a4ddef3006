// Read-only production in the UI (real Chromium against `ops-console serve`): the window shows the mode in its
// own colour, a write from the UI is refused by the router, an unlock by typing the name lets it through, and
// the Audit page lists what happened.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser';
import { scratchHome, startConsole, type ConsoleProcess } from '../support/console-process';

let browser: Browser;
let consoleProcess: ConsoleProcess;
let page: Page;

beforeAll(async () => {
  if (!fs.existsSync('dist/renderer/index.html') || !fs.existsSync('dist/cli.mjs'))
    throw new Error('Run `node build.mjs` first.');
  const home = scratchHome();
  fs.writeFileSync(
    path.join(home, 'profiles.json'),
    JSON.stringify({
      active: 'prod-eu',
      profiles: [
        { name: 'prod-eu', provider: 'local', production: true },
        { name: 'sandbox', provider: 'local', production: false },
      ],
    }),
  );
  consoleProcess = await startConsole('serve', home);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  await page.goto(consoleProcess.url);
  await page.getByTestId('connection-indicator').and(page.locator('[data-state=connected]')).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await consoleProcess?.stop();
});

describe('a production profile in the UI', () => {
  it('shows the profile and the read-only mode in its own colour on every page', async () => {
    await page.locator('[data-testid=app][data-production=read-only]').waitFor();
    await expect(page.getByTestId('production-badge').textContent()).resolves.toContain('read-only');
    const colour = await page.getByTestId('app-bar').getAttribute('data-colour');
    expect(colour).not.toBe('default');
    for (const id of ['stack', 'workflows', 'audit', 'settings']) {
      await page.getByTestId(`nav-${id}`).click();
      await expect(page.getByTestId('profile-select').inputValue()).resolves.toBe('prod-eu');
    }
    await screenshot(page, 'production-read-only');
  });

  it('a write from the UI is refused by the router until unlocked by typing the name', async () => {
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('setting-temporal.taskQueue').fill('prod-queue');
    await page.getByTestId('settings-save').click();
    await page
      .getByText(/Profile "prod-eu" is production and read-only: settings.update was refused/)
      .waitFor();
    const file = path.join(consoleProcess.home, 'settings.json');
    expect(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '').not.toContain('prod-queue');

    await page.getByTestId('production-badge').click();
    await page.getByTestId('unlock-confirm').fill('prod');
    await expect(page.getByTestId('unlock-submit').isDisabled()).resolves.toBe(true);
    await page.getByTestId('unlock-confirm').fill('prod-eu');
    await page.getByTestId('unlock-submit').click();
    await page.locator('[data-testid=app][data-production=unlocked]').waitFor();
    await screenshot(page, 'production-unlocked');

    await page.reload();
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('setting-temporal.taskQueue').fill('prod-queue');
    await page.getByTestId('settings-save').click();
    await page.getByText('Settings saved').waitFor();
    expect(fs.readFileSync(file, 'utf8')).toContain('prod-queue');
  });

  it('the Audit page lists the refusal, the unlock and the accepted write', async () => {
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-table').waitFor();
    await page.locator('[data-testid=audit-row][data-op="settings.update"][data-outcome=refused]').waitFor();
    await page.locator('[data-testid=audit-row][data-op="profiles.unlock"][data-outcome=ok]').waitFor();
    await page.locator('[data-testid=audit-row][data-op="settings.update"][data-outcome=ok]').waitFor();
    await screenshot(page, 'audit-page');
  });

  it('creates an attached profile in the editor (the secret goes to the secret store) and tests its connection', async () => {
    await page.getByTestId('nav-profiles').click();
    await page.getByTestId('profile-new').click();
    await page.getByTestId('profile-field-name').fill('unreachable');
    await page.getByTestId('profile-field-address').fill('127.0.0.1:1');
    await page.getByTestId('profile-field-appHost').fill('127.0.0.1');
    await page.getByTestId('profile-field-appPort').fill('1');
    await page
      .getByTestId('profile-field-appCa')
      .fill('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----');
    await page.getByTestId('profile-secret-appPostgresPassword').fill('ui-secret-pw');
    await page.getByTestId('profile-save').click();
    await page.getByTestId('profile-row-unreachable').waitFor();
    expect(fs.readFileSync(path.join(consoleProcess.home, 'profiles.json'), 'utf8')).not.toContain(
      'ui-secret-pw',
    );
    expect(fs.readFileSync(path.join(consoleProcess.home, 'secrets.json'), 'utf8')).toContain('ui-secret-pw');
    await page
      .getByTestId('profile-row-unreachable')
      .getByRole('button', { name: 'Test connection' })
      .click();
    await page.locator('[data-testid=validation-report][data-overall=failed]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="check-app-postgres.port"][data-status=failed]').waitFor();
    await screenshot(page, 'profiles-page');
  });
});
