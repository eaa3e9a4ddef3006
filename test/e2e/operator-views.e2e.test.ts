// The inspection views as an operator uses them, in real Chromium against a real stack and worker: keyboard only
// from "Start cycle" to an open phase, views restored from the address (reload, back, forward), the cancel
// preview equal to the ledger the worker then writes, backup results in place, axe-core on every page in both
// themes, and the list turning stale as soon as the stack stops.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ConsoleProcess } from '../support/console-process';
import { openRunningConsole, startCycleFromDialog } from '../support/running-console';

const SHOTS = path.resolve('test-output', 'screenshots');
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const KEYBOARD_CYCLE = 'test-cycle-7101';
const OTHER_CYCLE = 'test-cycle-7102';

let browser: Browser;
let consoleProcess: ConsoleProcess;
let page: Page;
let origin: string;
const pageErrors: string[] = [];

async function shot(name: string, target: Page = page): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await target.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/** Presses Tab until the element with this test id (or an element inside it) has the focus; the count of presses. */
async function tabTo(testId: string, max = 80): Promise<number> {
  for (let presses = 1; presses <= max; presses++) {
    await page.keyboard.press('Tab');
    const there = await page.evaluate((id) => {
      const el = document.activeElement as HTMLElement | null;
      return !!el && (el.dataset.testid === id || !!el.closest(`[data-testid="${id}"]`));
    }, testId);
    if (there) return presses;
  }
  throw new Error(`${testId} was not reached with ${max} Tab presses`);
}

const focusedTestId = () =>
  page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid ?? '');

interface AxeFinding {
  page: string;
  mode: string;
  rule: string;
  impact: string;
  targets: string[];
  nodes: Array<{ html: string; why?: string }>;
}

/** No colour or opacity transition half-way (only endless ones, such as a busy bar, may run). */
const settled = () =>
  page.waitForFunction(() =>
    document.getAnimations().every((a) => a.effect?.getTiming().iterations === Infinity),
  );

/** axe-core's serious and critical findings on the page as it is now. */
async function axeFindings(where: string, mode: string): Promise<AxeFinding[]> {
  // Evaluated through the debugger protocol, so the console's strict CSP need not allow an injected script.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            context: unknown,
            options: unknown,
          ): Promise<{
            violations: Array<{
              id: string;
              impact: string;
              nodes: Array<{ target: string[]; html: string; failureSummary?: string }>;
            }>;
          }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
      // What the element is and why it failed, so a finding can be traced to its component.
      nodes: v.nodes.slice(0, 5).map((n) => ({ html: n.html.slice(0, 300), why: n.failureSummary })),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ page: where, mode, rule: v.id, impact: v.impact, targets: v.targets, nodes: v.nodes }));
}

beforeAll(async () => {
  if (!fs.existsSync('dist/renderer/index.html') || !fs.existsSync('dist/cli.mjs'))
    throw new Error('Run `node build.mjs` first.');
  ({ consoleProcess, browser, page } = await openRunningConsole({
    viewport: { width: 1440, height: 900 },
    newPage: async (b, url) => {
      origin = `${new URL(url).origin}/`;
      const context = await b.newContext({ viewport: { width: 1440, height: 900 } });
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
      const p = await context.newPage();
      p.on('pageerror', (err) => pageErrors.push(err.message));
      return p;
    },
  }));
});

afterAll(async () => {
  await browser?.close();
  await consoleProcess?.stop();
});

describe('the inspection views as an operator uses them', () => {
  it('starts a cycle, approves its scope and opens a phase with the keyboard only', async () => {
    await page.goto(`${origin}#/workflows`);
    await page.getByTestId('start-cycle-open').waitFor();
    // The skip link is the first Tab stop and jumps past the menu to the page.
    await page.keyboard.press('Tab');
    await expect(focusedTestId()).resolves.toBe('skip-link');
    await page.keyboard.press('Enter');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('main-content');
    await tabTo('start-cycle-open');
    await shot('focus-ring-light');
    await page.keyboard.press('Enter');
    await page.getByTestId('start-cycle-dialog').waitFor();
    await tabTo('start-cycle-demo-data');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => (document.querySelector('[data-testid=start-cycle-reports]') as HTMLInputElement).value !== '',
    );
    await tabTo('start-cycle-reports');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('1, 2');
    await tabTo('start-cycle-id');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(KEYBOARD_CYCLE.replace('test-cycle-', ''));
    await tabTo('start-cycle-submit');
    await page.keyboard.press('Enter');
    await page.getByTestId('start-cycle-dialog').waitFor({ state: 'hidden' });
    await page.locator(`[data-testid=open-cycle][data-workflow-id=${KEYBOARD_CYCLE}]`).waitFor();

    await page
      .getByTestId('waiting-for')
      .getByText('waiting for scope approval')
      .waitFor({ timeout: 60_000 });
    await page.locator('[data-testid=action-approve-scope]:not([disabled])').waitFor();
    await tabTo('action-approve-scope');
    await page.keyboard.press('Enter');
    await tabTo('step-by');
    await page.keyboard.type('qa-lead');
    await tabTo('approve-confirm');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=phase-node-scoping][data-state=completed]').waitFor({ timeout: 60_000 });

    await tabTo('phase-node-planning');
    await page.keyboard.press('Enter');
    await page.getByTestId('drawer-activity').first().waitFor();
    expect(page.url()).toContain('drawer=planning');
    await page.keyboard.press('Escape');
    await page.getByTestId('drawer-activity').first().waitFor({ state: 'hidden' });
  });

  it('moves through the list with j and k, focuses the search with / and closes the cycle with Escape', async () => {
    // A second cycle (left to run on its own), so the list has somewhere to move.
    await startCycleFromDialog(page, Number(OTHER_CYCLE.replace('test-cycle-', '')), true);
    await page.locator(`[data-testid=open-cycle][data-workflow-id=${OTHER_CYCLE}]`).waitFor();
    await page.locator(`[data-testid=cycle-row][data-workflow-id=${KEYBOARD_CYCLE}]`).waitFor();

    await page.locator(`[data-testid=cycle-row][data-workflow-id=${OTHER_CYCLE}]`).focus();
    await page.keyboard.press('j');
    await expect(
      page.evaluate(() => (document.activeElement as HTMLElement).dataset.workflowId),
    ).resolves.toBe(KEYBOARD_CYCLE);
    await page.keyboard.press('Enter');
    await page.locator(`[data-testid=open-cycle][data-workflow-id=${KEYBOARD_CYCLE}]`).waitFor();
    await page.keyboard.press('k');
    await expect(
      page.evaluate(() => (document.activeElement as HTMLElement).dataset.workflowId),
    ).resolves.toBe(OTHER_CYCLE);

    await page.keyboard.press('/');
    await expect(focusedTestId()).resolves.toBe('filter-text');
    await page.keyboard.press('Escape');
    await page.locator('body').press('Escape');
    await page.getByTestId('open-cycle').waitFor({ state: 'hidden' });
    expect(page.url()).not.toContain('open=');
    // The filter bar is one labelled group of five stops, the date range one of them.
    await expect(page.getByRole('group', { name: 'Filter the test cycles' }).count()).resolves.toBe(1);
  });

  it('restores filters, sort, the open cycle, its phase and the history search from the address, after a reload and back/forward', async () => {
    await page.goto(
      `${origin}#/workflows?status=running&sort=cycle&dir=asc&open=${KEYBOARD_CYCLE}&drawer=scoping&history=ExecutionStarted`,
    );
    await page.reload();
    await page.locator(`[data-testid=open-cycle][data-workflow-id=${KEYBOARD_CYCLE}]`).waitFor();
    await page.getByTestId('phase-drawer').getByText('Scoping').first().waitFor();
    // The history search came back with the view: the box holds it and only matching events are listed.
    await expect(page.getByTestId('history-search').inputValue()).resolves.toBe('ExecutionStarted');
    await page.getByTestId('history-event').first().waitFor();
    const listed = await page.getByTestId('history-event').allTextContents();
    expect(listed.length).toBeGreaterThan(0);
    for (const row of listed) expect(row).toContain('ExecutionStarted');
    await expect(page.locator('input[data-testid=filter-status]').inputValue()).resolves.toBe('running');
    await expect(
      page.locator('[role=columnheader][aria-sort=ascending]', { hasText: 'Cycle' }).count(),
    ).resolves.toBe(1);
    await page.locator(`[data-testid=cycle-row][data-workflow-id=${KEYBOARD_CYCLE}]`).waitFor();
    // Closing the drawer is a step back can undo; forward closes it again.
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !location.hash.includes('drawer='));
    await page.goBack();
    await page.waitForFunction(() => location.hash.includes('drawer=scoping'));
    await page.getByTestId('phase-drawer').getByText('Scoping').first().waitFor();
    await page.goForward();
    await page.waitForFunction(() => !location.hash.includes('drawer='));
    await page.getByTestId('phase-drawer').locator('.MuiDrawer-paper').waitFor({ state: 'hidden' });
    await expect(page.locator('input[data-testid=filter-status]').inputValue()).resolves.toBe('running');
    await expect(page.getByTestId('history-search').inputValue()).resolves.toBe('ExecutionStarted');

    // Typing another history search puts it in the address in place of the old one.
    await page.getByTestId('history-search').fill('ActivityTask');
    await page.waitForFunction(() => location.hash.includes('history=ActivityTask'));

    // Copy link gives the address of this view.
    await page.getByTestId('copy-link').click();
    await page.getByTestId('copy-link-feedback').getByText('copied').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toContain(`open=${KEYBOARD_CYCLE}`);
    expect(copied).toContain('status=running');
    expect(copied).toContain('history=ActivityTask');
  });

  it('refuses a date range that ends before it starts, with a message, and applies nothing', async () => {
    const before = page.url();
    await page.getByTestId('filter-range').click();
    await page.getByTestId('filter-from').fill('2026-11-02T10:00');
    await page.getByTestId('filter-to').fill('2026-11-01T10:00');
    await expect(page.getByTestId('filter-range-message').textContent()).resolves.toContain(
      'starts after it ends',
    );
    await expect(page.getByTestId('filter-range-apply').isDisabled()).resolves.toBe(true);
    await page.keyboard.press('Escape');
    expect(page.url()).toBe(before);
  });

  it('offers in the Version filter the versions cycles ran with, the same as the Metrics page', async () => {
    const offered = async (combobox: ReturnType<typeof page.locator>) => {
      // Opened from the keyboard: the mouse stays put, so no tooltip it would raise covers the next page.
      await combobox.focus();
      await page.keyboard.press('ArrowDown');
      await page.getByRole('listbox').waitFor();
      const options = await page.getByRole('option').allTextContents();
      await page.keyboard.press('Escape');
      await page.getByRole('listbox').waitFor({ state: 'hidden' });
      return options.filter((o) => /^v\d+$/.test(o));
    };
    await page.goto(`${origin}#/metrics`);
    await page.getByTestId('metrics-durations').waitFor();
    const fromMetrics = await offered(page.getByTestId('metrics-version').locator('[role=combobox]'));
    expect(fromMetrics.length).toBeGreaterThan(0);
    // A view that names itself: no cycle open, so no drawer over the filters.
    await page.goto(`${origin}#/workflows?dir=desc`);
    await page.locator('[data-testid=live-state][data-live=true]').waitFor();
    const filter = page.locator('div:has(> input[data-testid=filter-version]) > [role=combobox]');
    // The versions arrive with their own read: asked again until they have.
    await expect.poll(() => offered(filter), { timeout: 30_000 }).toEqual(fromMetrics);
  });

  it('previews the cancel in the order the worker then compensates and the ledger lists', async () => {
    await page.goto(`${origin}#/workflows?open=${KEYBOARD_CYCLE}`);
    await page
      .locator('[data-testid=phase-node-request_for_information][data-state=running]')
      .waitFor({ timeout: 60_000 });
    await page.getByTestId('action-cancel').click();
    await page.getByTestId('preview-dialog').waitFor();
    const preview = await page
      .getByTestId('preview-step')
      .evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.phase));
    expect(preview).toHaveLength(5);
    await page.getByTestId('cancel-reason').fill('scope changed');
    await page.getByTestId('preview-confirm').click();
    await page
      .locator('[data-testid=open-cycle-status]', { hasText: 'cancelled' })
      .waitFor({ timeout: 60_000 });
    await page.getByTestId('nav-compensation').click();
    const rows = page.locator(`[data-testid=ledger-row][data-workflow-id=${KEYBOARD_CYCLE}]`);
    await page.waitForFunction(
      (id) => document.querySelectorAll(`[data-testid=ledger-row][data-workflow-id="${id}"]`).length === 5,
      KEYBOARD_CYCLE,
      { timeout: 60_000 },
    );
    const ledger = await rows.evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.phase));
    // The ledger lists the newest entry first: read backwards, it is the order the worker ran them.
    expect([...ledger].reverse()).toEqual(preview);
    await expect(page.getByTestId('ledger-total').textContent()).resolves.toMatch(/^\d+ compensations?$/);
  });

  it('shows backup jobs at 100 % with their result, and check results in the set row', async () => {
    await page.getByTestId('nav-backups').click();
    await page.getByTestId('open-backup-wizard').click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByTestId('backup-start').click();
    await page.getByTestId('backup-done').waitFor({ timeout: 180_000 });
    await page.getByRole('button', { name: 'Close' }).click();
    const job = page.getByTestId('backup-job');
    await job.and(page.locator('[data-state=done]')).waitFor();
    await expect(job.getAttribute('data-progress')).resolves.toBe('100');
    await expect(page.getByTestId('backup-job-outcome').textContent()).resolves.toContain('Backup done');

    await page.getByRole('button', { name: 'Trial restore' }).first().click();
    await page.getByTestId('check-result').and(page.locator('[data-ok=true]')).waitFor({ timeout: 180_000 });
    await expect(page.getByTestId('check-result').textContent()).resolves.toContain('Trial restore passed');
    await page.getByTestId('verification-badge').and(page.locator('[data-level=trial-restore]')).waitFor();
    await page.getByRole('button', { name: 'Verify', exact: true }).first().click();
    await page.getByTestId('check-result').getByText('Verify passed').waitFor({ timeout: 120_000 });
    // A plain verify that passes does not downgrade the stronger check the set passed.
    await expect(page.getByTestId('verification-badge').first().getAttribute('data-level')).resolves.toBe(
      'trial-restore',
    );
    await shot('backups-finished-jobs-light');
  });

  it('finds no serious or critical accessibility problem on any page, light or dark', async () => {
    const pages = [
      ['stack', '#/stack'],
      ['workflows', `#/workflows?open=${KEYBOARD_CYCLE}`],
      ['compensation', '#/compensation'],
      ['metrics', '#/metrics'],
      ['backups', '#/backups'],
      ['recovery', '#/recovery'],
      ['namespaces', '#/namespaces'],
      ['profiles', '#/profiles'],
      ['audit', '#/audit'],
      ['settings', '#/settings'],
    ] as const;
    const findings: AxeFinding[] = [];
    for (const mode of ['light', 'dark'] as const) {
      if ((await page.getByTestId('app').getAttribute('data-theme-mode')) !== mode) {
        await page.getByTestId('theme-toggle').click();
        await page.locator(`[data-testid=app][data-theme-mode=${mode}]`).waitFor();
      }
      for (const [name, hash] of pages) {
        await page.goto(`${origin}${hash}`);
        await page.locator(`[data-testid=nav-${name}].Mui-selected`).waitFor();
        await page.locator('#main-content h1').first().waitFor();
        if (name === 'workflows') await page.getByTestId('phase-graph').waitFor();
        if (name === 'recovery')
          await page.locator('[data-testid=recovery-refresh]:not([disabled])').waitFor();
        await settled();
        findings.push(...(await axeFindings(name, mode)));
      }
      // The log drawer over the page.
      await page.getByTestId('open-logs').click();
      const drawer = page.locator('.MuiDrawer-paper').last();
      await drawer.waitFor();
      // The pointer leaves the button for the drawer, so the button's tooltip does not start fading in while axe
      // reads the colours (its opening waits a moment, and on a busy machine that moment can fall after settled()).
      const box = await drawer.boundingBox();
      if (box) await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.locator('[role=tooltip]').waitFor({ state: 'detached' });
      await settled();
      findings.push(...(await axeFindings('logs', mode)));
      await page.keyboard.press('Escape');
    }
    fs.mkdirSync(SHOTS, { recursive: true });
    fs.writeFileSync(path.join(SHOTS, 'axe-findings.json'), JSON.stringify(findings, null, 2));
    expect(findings).toEqual([]);
  });

  it('looks right in the dark theme: list live and a visible focus ring', async () => {
    if ((await page.getByTestId('app').getAttribute('data-theme-mode')) !== 'dark') {
      await page.getByTestId('theme-toggle').click();
    }
    await page.goto(`${origin}#/workflows`);
    await page.locator('[data-testid=live-state][data-live=true]').waitFor();
    await shot('list-live-dark');
    await page.getByTestId('start-cycle-open').focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    await shot('focus-ring-dark');
    await page.getByTestId('theme-toggle').click();
    await page.locator('[data-testid=app][data-theme-mode=light]').waitFor();
    await shot('list-live-light');
  });

  it('shows the list and the worker card stale within 2 s of the stack stopping, never "live"', async () => {
    await page.goto(`${origin}#/workflows`);
    await page.locator('[data-testid=live-state][data-live=true]').waitFor();
    await expect(page.getByTestId('cycle-total').textContent()).resolves.toMatch(/^\d+ cycles?$/);
    // Stopped from a second window, as another operator would: this one only listens.
    const other = await page.context().newPage();
    await other.goto(`${consoleProcess.url}#/stack`);
    await other.getByTestId('stack-stop-all').click();
    await other.getByTestId('worker-live-state').and(other.locator('[data-live=true]')).waitFor();
    await other.getByTestId('confirm-dialog-confirm').click();
    // The list here and the worker card in the other window both say so, neither still looks live.
    await Promise.all([
      page.locator('[data-testid=live-state][data-live=false]').waitFor({ timeout: 2_000 }),
      other.locator('[data-testid=worker-live-state][data-live=false]').waitFor({ timeout: 2_000 }),
    ]);
    await expect(other.getByTestId('worker-live-state').textContent()).resolves.toMatch(
      /stale since .+ — stack not running/,
    );
    await expect(other.getByTestId('service-card-worker').getAttribute('data-health')).resolves.toBe(
      'unknown',
    );
    await expect(other.getByTestId('service-state-worker').textContent()).resolves.toMatch(/when last read$/);
    await expect(page.getByTestId('live-state').textContent()).resolves.toMatch(
      /stale since .+ — stack not running/,
    );
    await expect(page.getByTestId('cycle-total').textContent()).resolves.not.toContain('live');
    await other.getByTestId('stack-state').getByText('stopped').waitFor({ timeout: 120_000 });
    await expect(page.getByTestId('live-state').getAttribute('data-live')).resolves.toBe('false');
    await shot('list-stale-light');
    await page.getByTestId('theme-toggle').click();
    await page.locator('[data-testid=app][data-theme-mode=dark]').waitFor();
    await shot('list-stale-dark');
    await other.close();
    expect(pageErrors).toEqual([]);
  });
});
