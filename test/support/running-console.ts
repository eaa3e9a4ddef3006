// The set-up the inspection e2e tests share: the console brought up with `up` on a real embedded stack and
// worker (each step waits for a person, retries back off from 200 ms), Chromium on its Workflows page once the
// stack runs, and a cycle started from the Start cycle dialog as an operator starts one.
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './browser';
import { scratchHome, startConsole, type ConsoleProcess } from './console-process';
import { freeStackSettings } from './stack-settings';

export interface RunningConsole {
  consoleProcess: ConsoleProcess;
  browser: Browser;
  page: Page;
}

export async function openRunningConsole(options: {
  viewport: { width: number; height: number };
  /** A page of its own making (a context with permissions, say); a plain page at `viewport` otherwise. */
  newPage?: (browser: Browser, consoleUrl: string) => Promise<Page>;
  /** Runs in the page before its scripts, on every load. */
  initScript?: () => void;
}): Promise<RunningConsole> {
  const settings = { ...(await freeStackSettings()), worker: { autoApprove: false, retryBaseMs: 200 } };
  const consoleProcess = await startConsole('up', scratchHome(settings), 240_000);
  const browser = await launchBrowser();
  const page = options.newPage
    ? await options.newPage(browser, consoleProcess.url)
    : await browser.newPage({ viewport: options.viewport });
  if (options.initScript) await page.addInitScript(options.initScript);
  await page.goto(`${consoleProcess.url}#/workflows`);
  await page.locator('[data-testid=connection-indicator][data-state=connected]').waitFor();
  // `up` serves at once and brings the stack up behind it.
  await page.waitForFunction(() => document.title === 'Ops Console — stack running', null, {
    timeout: 240_000,
  });
  return { consoleProcess, browser, page };
}

/** Starts a cycle on reports 1 and 2 from the Start cycle dialog (demo data first); `auto` approves each step. */
export async function startCycleFromDialog(page: Page, cycleId: number, auto = false): Promise<void> {
  await page.getByTestId('start-cycle-open').click();
  const dialog = page.getByTestId('start-cycle-dialog');
  await dialog.waitFor();
  const reports = page.locator('[data-testid=start-cycle-reports]');
  await reports.fill('');
  await page.getByTestId('start-cycle-demo-data').click();
  await page.waitForFunction(
    () => (document.querySelector('[data-testid=start-cycle-reports]') as HTMLInputElement).value !== '',
  );
  await reports.fill('1, 2');
  await page.getByTestId('start-cycle-id').fill(String(cycleId));
  if (auto) await page.getByTestId('start-cycle-auto').check();
  await page.getByTestId('start-cycle-submit').click();
  await dialog.waitFor({ state: 'hidden' });
}
