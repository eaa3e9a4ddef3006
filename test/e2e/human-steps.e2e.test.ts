// The human steps in real Chromium against a real stack and worker: only the step the cycle waits for is
// offered; each dialog starts empty for every cycle, shows what is decided, takes the keyboard (focus on the
// first field, Enter sends, Escape closes); cancel needs a reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { screenshot } from '../support/browser';
import type { ConsoleProcess } from '../support/console-process';
import { openRunningConsole, startCycleFromDialog } from '../support/running-console';

let browser: Browser;
let consoleProcess: ConsoleProcess;
let page: Page;

const FIRST = 'test-cycle-7101';
const SECOND = 'test-cycle-7102';

beforeAll(async () => {
  ({ consoleProcess, browser, page } = await openRunningConsole({ viewport: { width: 1440, height: 1000 } }));
});

afterAll(async () => {
  await browser?.close();
  await consoleProcess?.stop();
});

async function openCycle(workflowId: string) {
  await page.locator(`[data-testid=cycle-row][data-workflow-id=${workflowId}]`).first().click();
  await page.locator(`[data-testid=open-cycle][data-workflow-id=${workflowId}]`).waitFor();
}

async function waitingFor(text: string) {
  await page.locator('[data-testid=waiting-for]', { hasText: text }).waitFor({ timeout: 60_000 });
}

async function settled(selector: string) {
  await page.waitForFunction((sel) => {
    const el = document.querySelector(sel);
    if (!el) return false;
    const style = getComputedStyle(el);
    return style.opacity === '1' && (style.transform === 'none' || style.transform === '');
  }, selector);
}

const focusedTestId = () =>
  page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid ?? '');

describe('human steps in Chromium', () => {
  it('offers only the step the cycle waits for', async () => {
    await startCycleFromDialog(page, 7101);
    await startCycleFromDialog(page, 7102);
    await page.locator(`[data-testid=cycle-row][data-workflow-id=${SECOND}]`).waitFor({ timeout: 60_000 });
    await openCycle(FIRST);
    await waitingFor('waiting for scope approval');
    await expect(page.getByTestId('action-approve-scope').isEnabled()).resolves.toBe(true);
    await expect(page.getByTestId('action-rfi').isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId('action-results').isDisabled()).resolves.toBe(true);
    await page.getByTestId('action-results').locator('..').hover();
    await page.getByRole('tooltip', { name: /Test results are recorded in Test Execution/ }).waitFor();
    await screenshot(page, 'human-steps-only-matching-action');
  });

  it('shows the proposed scope; a note typed for one cycle does not appear in the next', async () => {
    await page.getByTestId('action-approve-scope').click();
    await page.getByTestId('approve-dialog').waitFor();
    await page.getByTestId('proposed-attribute').first().waitFor();
    const reports = await page.getByTestId('proposed-report').allTextContents();
    expect(reports).toHaveLength(2);
    expect(reports[0]).toMatch(/Report 1: Demo report 1 · 5 samples to draw from 250 records/);
    await expect(page.getByTestId('proposed-attribute').count()).resolves.toBeGreaterThan(2);
    await page.getByTestId('approve-note').fill('only for cycle 7101');
    await settled('[data-testid=approve-dialog] .MuiDialog-paper');
    await screenshot(page, 'human-steps-scope-dialog');
    await page.keyboard.press('Escape');
    await page.getByTestId('approve-dialog').waitFor({ state: 'hidden' });

    await openCycle(SECOND);
    await waitingFor('waiting for scope approval');
    await page.getByTestId('action-approve-scope').click();
    await page.getByTestId('approve-dialog').waitFor();
    await expect(page.getByTestId('approve-note').inputValue()).resolves.toBe('');
    await expect(page.getByTestId('step-by').inputValue()).resolves.toBe('');
    await page.keyboard.press('Escape');
    await page.getByTestId('approve-dialog').waitFor({ state: 'hidden' });
  });

  it('refuses a cancel without a reason, then cancels with one', async () => {
    await page.getByTestId('action-cancel').click();
    await page.getByTestId('preview-dialog').waitFor();
    await page.getByTestId('preview-confirm').click();
    await page.getByTestId('preview-dialog').getByText('Give a reason of a few words').waitFor();
    await expect(page.getByTestId('open-cycle-status').textContent()).resolves.toBe('running');
    await settled('[data-testid=preview-dialog] .MuiDialog-paper');
    await screenshot(page, 'human-steps-cancel-needs-reason');
    await page.getByTestId('cancel-reason').fill('opened by mistake');
    await page.keyboard.press('Enter');
    await page
      .locator('[data-testid=open-cycle-status]', { hasText: 'cancelled' })
      .waitFor({ timeout: 60_000 });
  });

  it('approves scope with the keyboard only: open, fill, Enter', async () => {
    await openCycle(FIRST);
    await waitingFor('waiting for scope approval');
    await page.getByTestId('action-approve-scope').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('approve-dialog').waitFor();
    await page.waitForFunction(
      () => (document.activeElement as HTMLElement | null)?.dataset.testid === 'step-by',
    );
    expect(await focusedTestId()).toBe('step-by');
    await page.keyboard.type('qa-lead');
    await page.keyboard.press('Enter');
    await page.getByTestId('approve-dialog').waitFor({ state: 'hidden' });
    await page.locator('[data-testid=phase-node-scoping][data-state=completed]').waitFor({ timeout: 60_000 });
  });

  it('lists each open RFI with its question, data owner and sent time', async () => {
    await waitingFor('waiting for RFI answers');
    await expect(page.getByTestId('action-approve-scope').isDisabled()).resolves.toBe(true);
    await page.getByTestId('action-rfi').click();
    await page.getByTestId('rfi-open').first().waitFor();
    const rfis = await page.getByTestId('rfi-open').allTextContents();
    expect(rfis).toHaveLength(2);
    expect(rfis[0]).toMatch(/Data owner Demo owner 1 <owner1@demo.invalid> · sent /);
    expect(rfis[0]).toMatch(/Please provide the source records/);
    await page.getByTestId('rfi-send').click();
    await page.getByTestId('rfi-none').waitFor(); // no answer written: nothing is sent
    await page.getByTestId('step-by').fill('qa-lead');
    await page.getByTestId('rfi-answer-1').fill('records attached');
    await page.getByTestId('rfi-answer-2').fill('records attached');
    await settled('[data-testid=rfi-dialog] .MuiDialog-paper');
    await screenshot(page, 'human-steps-rfi-dialog');
    await page.keyboard.press('Enter');
    await page.getByTestId('rfi-dialog').waitFor({ state: 'hidden' });
  });

  it('lists each execution with pass/fail per row and records "all pass"', async () => {
    await waitingFor('waiting for test results');
    await page.getByTestId('theme-toggle').click(); // this dialog is checked in the dark theme
    await page.getByTestId('action-results').click();
    await page.getByTestId('result-row').first().waitFor();
    await expect(page.getByTestId('result-row').count()).resolves.toBe(2 * 5 * 5);
    await expect(page.getByTestId('results-send').textContent()).resolves.toBe('Record 0 of 50');
    await page.getByTestId('results-all-pass').click();
    await expect(page.getByTestId('results-send').textContent()).resolves.toBe('Record 50 of 50');
    await page.getByTestId('step-by').fill('tester');
    await page
      .getByTestId('theme-toggle')
      .click()
      .catch(() => undefined);
    await settled('[data-testid=results-dialog] .MuiDialog-paper');
    await screenshot(page, 'human-steps-results-dialog');
    await page.getByTestId('results-send').click();
    await page.getByTestId('results-dialog').waitFor({ state: 'hidden' });
    await page
      .locator('[data-testid=open-cycle-status]', { hasText: 'completed' })
      .waitFor({ timeout: 60_000 });
    await screenshot(page, 'human-steps-completed');
  });
});
