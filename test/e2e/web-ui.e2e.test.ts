// "Open in Temporal Web UI" in real Chromium against `ops-console up` with the embedded stack's Web UI: the new
// tab loads the UI's page for that workflow and shows its id; the CLI command is copied for the same workflow.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser';
import { scratchHome, startConsole, type ConsoleProcess } from '../support/console-process';
import { freeStackSettings } from '../support/stack-settings';

const exec = promisify(execFile);
let browser: Browser;
let context: BrowserContext;
let consoleProcess: ConsoleProcess;
let page: Page;
let uiPort: number;
let home: string;
let workflowId: string;

const cli = async (...args: string[]) =>
  (
    await exec(process.execPath, ['dist/cli.mjs', '--home', home, ...args], {
      env: { ...process.env, OPS_CONSOLE_HOME: home },
    })
  ).stdout;

beforeAll(async () => {
  if (!fs.existsSync('dist/renderer/index.html')) throw new Error('Run `node build.mjs` first.');
  const settings = await freeStackSettings({ enableUi: true });
  uiPort = settings.stack.ports.temporalUi;
  home = scratchHome(settings);
  consoleProcess = await startConsole('up', home);
  browser = await launchBrowser();
  context = await browser.newContext({
    viewport: { width: 1360, height: 860 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  page = await context.newPage();
  await page.goto(consoleProcess.url);
  await page
    .locator('[data-testid=service-state-temporal-ui]', { hasText: 'running' })
    .waitFor({ timeout: 180_000 });
  await cli('demo-data', '--reports', '1');
  workflowId = (
    JSON.parse(await cli('cycle', 'start', '--cycle', '1', '--reports', '1', '--auto-approve')) as {
      workflowId: string;
    }
  ).workflowId;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await consoleProcess?.stop();
});

describe('the Temporal Web UI from the console', () => {
  it("opens the UI's page for a cycle in a new tab, which loads and shows the workflow id", async () => {
    await page.goto(`${consoleProcess.url}#/workflows?open=${encodeURIComponent(workflowId)}`);
    await page.getByTestId('open-cycle').waitFor();
    // Once the cycle's run is known, the link names it (the UI's page of that run's history).
    const button = page.locator('[data-testid=open-cycle] a[data-testid=open-in-web-ui][href$="/history"]');
    await button.waitFor();
    await screenshot(page, 'web-ui-open-cycle');
    const [tab] = await Promise.all([context.waitForEvent('page'), button.click()]);
    await tab.waitForLoadState('load');
    expect(tab.url()).toContain(`http://127.0.0.1:${uiPort}/namespaces/default/workflows/${workflowId}/`);
    await tab.getByText(workflowId).first().waitFor({ timeout: 60_000 });
    await screenshot(tab, 'web-ui-workflow-page');
    await tab.close();
  });

  it('copies the temporal CLI command for that cycle', async () => {
    await page.getByTestId('copy-temporal-command').click();
    await page.getByTestId('copied-temporal-command').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toContain(`temporal workflow describe --address 127.0.0.1:`);
    expect(copied).toContain(`--namespace default --workflow-id ${workflowId}`);
  });

  it("links the workflows list and the UI's card on the Stack page to the namespace's workflows", async () => {
    const list = `http://127.0.0.1:${uiPort}/namespaces/default/workflows`;
    await expect(page.getByTestId('open-workflows-in-web-ui').getAttribute('href')).resolves.toBe(list);
    await page.getByTestId('nav-stack').click();
    await expect(page.getByTestId('open-web-ui-from-card').getAttribute('href')).resolves.toBe(list);
    await screenshot(page, 'web-ui-stack-card');
  });
});
