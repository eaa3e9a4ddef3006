// Onboarding when PostgreSQL is not installed: the Stack page names what to install and offers the Docker provider.
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

beforeAll(async () => {
  const settings = await freeStackSettings();
  const home = scratchHome();
  // A folder with no PostgreSQL in it stands for a computer without PostgreSQL.
  const empty = path.join(home, 'no-postgres');
  fs.mkdirSync(empty);
  fs.writeFileSync(
    path.join(home, 'settings.json'),
    JSON.stringify({ stack: { ...settings.stack, binaries: { postgresBinDir: empty } } }),
  );
  consoleProcess = await startConsole('serve', home);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  await page.goto(consoleProcess.url);
});

afterAll(async () => {
  await browser?.close();
  await consoleProcess?.stop();
});

describe('PostgreSQL missing', () => {
  it('names what to install and switches to the Docker provider on request', async () => {
    await page.getByTestId('nav-stack').click();
    await page.getByRole('button', { name: 'Start all' }).click();
    const notice = page.getByTestId('postgres-missing');
    await notice.waitFor();
    await expect(notice.textContent()).resolves.toMatch(/apt-get install postgresql.*Docker provider/);
    await screenshot(page, 'postgres-missing');
    await page.getByTestId('use-docker-provider').click();
    await notice.waitFor({ state: 'detached' });
    const saved = JSON.parse(fs.readFileSync(path.join(consoleProcess.home, 'settings.json'), 'utf8')) as {
      stack: { provider: string };
    };
    expect(saved.stack.provider).toBe('docker');
  });
});
