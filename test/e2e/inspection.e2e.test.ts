// Visual workflow inspection in real Chromium against a real stack and worker: start cycles from the UI, watch
// the phase graph change live (pushed, no reload), approve scope, answer RFIs, preview and cancel with the
// compensation drawn and listed in the ledger, and the metrics page over several cycles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { screenshot } from '../support/browser';
import type { ConsoleProcess } from '../support/console-process';
import { openRunningConsole, startCycleFromDialog } from '../support/running-console';

let browser: Browser;
let consoleProcess: ConsoleProcess;
let page: Page;

const MANUAL = 'test-cycle-7001';

/** Records every data-state a phase node shows, in order, and when two or more run at once. */
function recordPhaseStates() {
  const w = window as unknown as {
    __states: Record<string, string[]>;
    __maxRunning: Record<string, number>;
    __together: string[][];
  };
  w.__states = {};
  w.__together = [];
  const snapshot = () => {
    const running: string[] = [];
    // Keyed by the open cycle: the page shows one cycle's graph at a time.
    const cycle = document.querySelector<HTMLElement>('[data-testid=open-cycle]')?.dataset.workflowId ?? '';
    document.querySelectorAll<HTMLElement>('[data-testid^="phase-node-"]').forEach((el) => {
      const id = `${cycle}:${el.dataset.testid!.replace('phase-node-', '')}`;
      const state = el.dataset.state ?? '';
      const list = (w.__states[id] ??= []);
      if (list.at(-1) !== state) list.push(state);
      if (state === 'running') running.push(id);
    });
    // Phases running at once in the same cycle, as `cycle:phase` keys.
    if (running.length > 1) w.__together.push(running.sort());
  };
  new MutationObserver(snapshot).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['data-state'],
  });
}

beforeAll(async () => {
  ({ consoleProcess, browser, page } = await openRunningConsole({
    viewport: { width: 1440, height: 1000 },
    initScript: recordPhaseStates,
  }));
});

afterAll(async () => {
  await browser?.close();
  await consoleProcess?.stop();
});

/** Waits until a dialog or drawer has finished its entry transition, so the screenshot shows it settled. */
async function settled(selector: string) {
  await page.waitForFunction((sel) => {
    const el = document.querySelector(sel);
    if (!el) return false;
    const style = getComputedStyle(el);
    return style.opacity === '1' && (style.transform === 'none' || style.transform === '');
  }, selector);
}

const states = (phase: string) =>
  page.evaluate(
    (key) => (window as unknown as { __states: Record<string, string[]> }).__states[key] ?? [],
    `${MANUAL}:${phase}`,
  );

describe('workflow inspection in Chromium', () => {
  it('validates the Start cycle dialog before anything is sent', async () => {
    await page.getByTestId('start-cycle-open').click();
    await page.getByTestId('start-cycle-id').fill('-4');
    // Checked with the contract's schema as it is typed: Start stays disabled, so nothing can be sent.
    await expect(page.getByTestId('start-cycle-submit').isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId('start-cycle-dialog').textContent()).resolves.toContain(
      'Cycle id: use a whole number of 1 or more; you gave -4.',
    );
    await settled('[data-testid=start-cycle-dialog] .MuiDialog-paper');
    await screenshot(page, 'inspection-start-dialog-invalid');
    await page.keyboard.press('Escape');
    await page.getByTestId('start-cycle-dialog').waitFor({ state: 'hidden' });
  });

  it('starts cycles from the UI and lists them', async () => {
    await startCycleFromDialog(page, 7002, true);
    await startCycleFromDialog(page, 7003, true);
    await startCycleFromDialog(page, 7001, false);
    await page.locator(`[data-testid=open-cycle][data-workflow-id=${MANUAL}]`).waitFor();
    for (const id of ['test-cycle-7001', 'test-cycle-7002', 'test-cycle-7003'])
      await page.locator(`[data-testid=cycle-row][data-workflow-id=${id}]`).waitFor({ timeout: 60_000 });
    await screenshot(page, 'inspection-list');
  });

  it('turns scoping from pending to running live and waits for the approval', async () => {
    await page.locator('[data-testid=phase-node-scoping][data-state=running]').waitFor({ timeout: 60_000 });
    await page.getByTestId('waiting-for').waitFor({ timeout: 30_000 });
    await expect(states('planning')).resolves.toContain('completed');
    expect((await states('scoping')).slice(0, 2)).toEqual(['pending', 'running']);
    await screenshot(page, 'inspection-graph-waiting-for-scope');
  });

  it('approves scope from the UI and runs phases 3 and 4 at the same time', async () => {
    await page.getByTestId('action-approve-scope').click();
    await page.getByTestId('step-by').fill('qa-lead');
    await page.getByTestId('approve-confirm').click();
    await page.locator('[data-testid=phase-node-scoping][data-state=completed]').waitFor({ timeout: 60_000 });
    await page
      .locator('[data-testid=phase-node-request_for_information][data-state=running]')
      .waitFor({ timeout: 60_000 });
    expect(await states('scoping')).toEqual(['pending', 'running', 'completed']);
    const together = await page.evaluate(() => (window as unknown as { __together: string[][] }).__together);
    const seen = await page.evaluate(() => (window as unknown as { __states: unknown }).__states);
    expect(
      together.some(
        (set) =>
          set.includes(`${MANUAL}:sample_selection`) && set.includes(`${MANUAL}:data_owner_identification`),
      ),
      `phases running at once: ${JSON.stringify(together)}; states seen: ${JSON.stringify(seen)}`,
    ).toBe(true);
    for (const id of ['sample_selection', 'data_owner_identification'])
      expect(await states(id)).toEqual(['pending', 'running', 'completed']);
    await screenshot(page, 'inspection-graph-rfi');
  });

  it('opens a phase in the drawer with its activities and attempts', async () => {
    await page.getByTestId('phase-node-planning').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('drawer-activity').first().waitFor();
    await expect(page.getByTestId('phase-drawer').textContent()).resolves.toContain('generateAttributes');
    await settled('[data-testid=phase-drawer] .MuiDrawer-paper');
    await screenshot(page, 'inspection-phase-drawer');
    await page.keyboard.press('Escape');
  });

  it('pages the history timeline', async () => {
    await page.locator('[data-testid=history-event]').first().waitFor();
    await expect(page.getByTestId('history-timeline').getAttribute('data-count')).resolves.not.toBe('0');
  });

  it('previews the cancel, then cancels and draws the compensation in reverse', async () => {
    const timeline = page.getByTestId('history-timeline');
    await page.locator('[data-testid=history-timeline][data-complete=true]').waitFor();
    const before = Number(await timeline.getAttribute('data-count'));
    await page.getByTestId('action-cancel').click();
    await page.getByTestId('preview-dialog').waitFor();
    const steps = await page
      .getByTestId('preview-step')
      .evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.phase));
    expect(steps).toEqual([
      'request_for_information',
      ...(steps[1] === 'data_owner_identification'
        ? ['data_owner_identification', 'sample_selection']
        : ['sample_selection', 'data_owner_identification']),
      'scoping',
      'planning',
    ]);
    await settled('[data-testid=preview-dialog] .MuiDialog-paper');
    await screenshot(page, 'inspection-cancel-preview');
    await page.getByTestId('cancel-reason').fill('scope changed');
    await page.getByTestId('preview-confirm').click();
    await page
      .locator('[data-testid=phase-node-planning][data-state=compensated]')
      .waitFor({ timeout: 60_000 });
    await page.locator('[data-testid=phase-graph][data-compensations="5"]').waitFor({ timeout: 30_000 });
    await expect(page.locator('.compensation-edge').count()).resolves.toBe(4);
    await page
      .locator('[data-testid=open-cycle-status]', { hasText: 'cancelled' })
      .waitFor({ timeout: 30_000 });
    // The timeline follows live: the cancel's events are added to the rows it held, with no reload.
    await page.waitForFunction(
      (n) => Number(document.querySelector<HTMLElement>('[data-testid=history-timeline]')?.dataset.count) > n,
      before,
      { timeout: 30_000 },
    );
    await expect(page.getByTestId('history-event').first().textContent()).resolves.toContain(
      'WorkflowExecutionStarted',
    );
    await page.getByTestId('history-timeline').scrollIntoViewIfNeeded();
    await screenshot(page, 'inspection-history-live');
    await screenshot(page, 'inspection-graph-compensated');
  });

  it('lists the compensation in the ledger with a link back to the graph', async () => {
    await page.getByTestId('nav-compensation').click();
    await page.locator(`[data-testid=ledger-row][data-workflow-id=${MANUAL}]`).first().waitFor();
    const phases = await page
      .locator(`[data-testid=ledger-row][data-workflow-id=${MANUAL}]`)
      .evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.phase));
    expect(phases.at(-1)).toBe('request_for_information');
    expect(phases[0]).toBe('planning');
    await screenshot(page, 'inspection-ledger');
    await page.getByTestId('ledger-open-cycle').first().click();
    await page.locator(`[data-testid=open-cycle][data-workflow-id=${MANUAL}]`).waitFor();
  });

  it('shows the metrics of several completed cycles', async () => {
    await page.getByTestId('nav-workflows').click();
    for (const id of ['test-cycle-7002', 'test-cycle-7003'])
      await page
        .locator(`[data-testid=cycle-row][data-workflow-id=${id}][data-status=completed]`)
        .waitFor({ timeout: 120_000 });
    await page.getByTestId('nav-metrics').click();
    await page.getByTestId('metrics-dashboard').waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('metrics-versions').textContent()).resolves.toMatch(
      /Planning: [2-9]\d* runs/,
    );
    await expect(page.getByTestId('bottleneck-row').count()).resolves.toBe(8);
    await screenshot(page, 'inspection-metrics');
  });

  it('opens a cycle before it starts: no history yet, not asked for again and again, then shown once it runs', async () => {
    const ahead = 'test-cycle-7100';
    const watcher = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    // Counts the history reads the page sends.
    await watcher.addInitScript(() => {
      const w = window as unknown as { __historyReads: number };
      w.__historyReads = 0;
      const send = WebSocket.prototype.send;
      WebSocket.prototype.send = function (data) {
        if (typeof data === 'string' && data.includes('"inspection.history"')) w.__historyReads++;
        return send.call(this, data);
      };
    });
    const reads = () =>
      watcher.evaluate(() => (window as unknown as { __historyReads: number }).__historyReads);
    try {
      await watcher.goto(`${consoleProcess.url}#/workflows?open=${ahead}`);
      await expect(watcher.getByTestId('history-missing').textContent()).resolves.toMatch(
        /Temporal has no history for test-cycle-7100/,
      );
      const asked = await reads();
      expect(asked).toBeGreaterThan(0);
      // Nothing happens to the cycle meanwhile: nothing is asked again (it used to be asked as fast as it failed).
      await watcher.waitForTimeout(1500);
      expect(await reads()).toBe(asked);
      await watcher.getByTestId('history-timeline').scrollIntoViewIfNeeded();
      await screenshot(watcher, 'inspection-history-not-yet');
      // The cycle starts: its events come, and the history is read and shown.
      await page.goto(`${consoleProcess.url}#/workflows`);
      await startCycleFromDialog(page, 7100, true);
      await watcher.waitForFunction(
        () =>
          Number(document.querySelector<HTMLElement>('[data-testid=history-timeline]')?.dataset.count) > 0,
        null,
        { timeout: 60_000 },
      );
      await expect(watcher.getByTestId('history-missing').count()).resolves.toBe(0);
    } finally {
      await watcher.close();
    }
  });

  it('reads in the dark theme too', async () => {
    await page.getByTestId('theme-toggle').click();
    await page.goto(`${consoleProcess.url}#/workflows?open=${MANUAL}`);
    await page
      .locator('[data-testid=phase-node-planning][data-state=compensated]')
      .waitFor({ timeout: 30_000 });
    await screenshot(page, 'inspection-graph-dark');
  });
});
