// The views an operator reads at a glance, in real Chromium at 1440×900 against a real stack and worker: the
// phase graph at full size (labels whole, fitted on a cancelled cycle, the wheel scrolls the page), a node
// opening its drawer on that phase alone, the metrics charts naming every phase, and the Recovery page with
// archiving off. Screenshots in both themes go to test-output/screenshots/.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ConsoleProcess } from '../support/console-process';
import { openRunningConsole, startCycleFromDialog } from '../support/running-console';

let browser: Browser;
let consoleProcess: ConsoleProcess;
let page: Page;

const MANUAL = 'test-cycle-8001';
const AUTO = 'test-cycle-8002';
const SHOTS = path.resolve('test-output', 'screenshots');

async function shot(name: string) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

beforeAll(async () => {
  ({ consoleProcess, browser, page } = await openRunningConsole({ viewport: { width: 1440, height: 900 } }));
});

afterAll(async () => {
  await browser?.close();
  await consoleProcess?.stop();
});

/** The graph's zoom as the flow draws it (the scale of its viewport transform). */
const graphZoom = () =>
  page.evaluate(() => {
    const el = document.querySelector<HTMLElement>('[data-testid=phase-graph] .react-flow__viewport')!;
    return new DOMMatrix(getComputedStyle(el).transform).a;
  });

/** How far the page is scrolled, wherever its scroll container is. */
const pageScroll = () =>
  page.evaluate(() => window.scrollY + (document.querySelector('main')?.scrollTop ?? 0));

/** Boxes of the panel, every phase node and every compensation label, as the screen shows them. */
const graphBoxes = () =>
  page.evaluate(() => {
    const box = (el: Element) => {
      const r = el.getBoundingClientRect();
      return { x: r.x, y: r.y, w: r.width, h: r.height };
    };
    const panel = document.querySelector('[data-testid=phase-graph]')!;
    return {
      panel: box(panel),
      nodes: [...panel.querySelectorAll('[data-testid^="phase-node-"]')].map(box),
      labels: [...panel.querySelectorAll('.compensation-label')].map(box),
    };
  });

/** Waits until the drawer has finished sliding in, so the screenshot shows it settled. */
async function drawerSettled() {
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid=phase-drawer] .MuiDrawer-paper');
    if (!el) return false;
    const style = getComputedStyle(el);
    return style.transform === 'none' || style.transform === '';
  });
}

async function openCycle(id: string) {
  await page.goto(`${consoleProcess.url}#/workflows?open=${id}`);
  await page.locator(`[data-testid=open-cycle][data-workflow-id=${id}]`).waitFor({ timeout: 30_000 });
  await page.locator('[data-testid=phase-node-planning]').waitFor();
}

/** Scrolls the page so the graph's top sits just under the app bar. */
async function showGraph() {
  await page.evaluate(() => {
    const graph = document.querySelector('[data-testid=phase-graph]')!;
    graph.scrollIntoView({ block: 'start' });
    // Whichever element scrolls (the window or the main area), step back by the app bar's height.
    const main = document.querySelector('main')!;
    if (main.scrollTop > 0) main.scrollTop -= 64;
    else window.scrollBy(0, -64);
  });
}

describe('views an operator reads at a glance', () => {
  it('shows every phase name whole at the body size or larger on a running cycle', async () => {
    await startCycleFromDialog(page, 8002, true);
    await startCycleFromDialog(page, 8001, false);
    await page.locator(`[data-testid=open-cycle][data-workflow-id=${MANUAL}]`).waitFor();
    await page.locator('[data-testid=phase-node-scoping][data-state=running]').waitFor({ timeout: 60_000 });
    await showGraph();
    const zoom = await graphZoom();
    const labels = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('[data-testid^="phase-label-"]')].map((el) => ({
        id: el.dataset.testid!,
        text: el.textContent ?? '',
        scrollWidth: el.scrollWidth,
        clientWidth: el.clientWidth,
        scrollHeight: el.scrollHeight,
        clientHeight: el.clientHeight,
        fontSize: parseFloat(getComputedStyle(el).fontSize),
      })),
    );
    expect(labels).toHaveLength(8);
    expect(labels.map((l) => l.text)).toContain('4.Data Owner Identification');
    for (const l of labels) {
      expect(l.scrollWidth, l.id).toBeLessThanOrEqual(l.clientWidth);
      expect(l.scrollHeight, l.id).toBeLessThanOrEqual(l.clientHeight);
      // What reaches the eye: the font's size times the graph's zoom.
      expect(l.fontSize * zoom, l.id).toBeGreaterThanOrEqual(14);
    }
    await shot('graph-running-light');
  });

  it('scrolls the page, not the graph, when the wheel turns over it', async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    // Start from the top of the graph with room to scroll down.
    await page.evaluate(() => document.querySelector('main')!.scrollTo(0, 0));
    const graph = await page.getByTestId('phase-graph').boundingBox();
    expect(graph).not.toBeNull();
    const zoomBefore = await graphZoom();
    const scrollBefore = await pageScroll();
    await page.mouse.move(graph!.x + graph!.width / 2, Math.min(graph!.y + 40, 880));
    await page.mouse.wheel(0, 300);
    await page.waitForFunction(
      (before) => window.scrollY + (document.querySelector('main')?.scrollTop ?? 0) !== before,
      scrollBefore,
    );
    expect(await pageScroll()).toBeGreaterThan(scrollBefore);
    expect(await graphZoom()).toBe(zoomBefore);
  });

  it('zooms with the wheel once the graph has focus, and Fit brings it back', async () => {
    await showGraph();
    await page.getByTestId('phase-graph').focus();
    const graph = (await page.getByTestId('phase-graph').boundingBox())!;
    const before = await graphZoom();
    await page.mouse.move(graph.x + graph.width / 2, graph.y + graph.height / 2);
    await page.mouse.wheel(0, -300);
    await page.waitForFunction((z) => {
      const el = document.querySelector<HTMLElement>('[data-testid=phase-graph] .react-flow__viewport')!;
      return new DOMMatrix(getComputedStyle(el).transform).a !== z;
    }, before);
    await page.getByTestId('graph-fit').click();
    await page.waitForFunction((z) => {
      const el = document.querySelector<HTMLElement>('[data-testid=phase-graph] .react-flow__viewport')!;
      return Math.abs(new DOMMatrix(getComputedStyle(el).transform).a - z) < 0.001;
    }, before);
    await page.getByTestId('graph-zoom-out').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((z) => {
      const el = document.querySelector<HTMLElement>('[data-testid=phase-graph] .react-flow__viewport')!;
      return new DOMMatrix(getComputedStyle(el).transform).a < z;
    }, before);
    await page.getByTestId('graph-fit').click();
  });

  it('opens the drawer of a clicked phase with that phase alone: its activities and its history events', async () => {
    await page.getByTestId('action-approve-scope').click();
    await page.getByTestId('step-by').fill('qa-lead');
    await page.getByTestId('approve-confirm').click();
    await page
      .locator('[data-testid=phase-node-request_for_information][data-state=running]')
      .waitFor({ timeout: 60_000 });
    await page.locator('[data-testid=history-event]').first().waitFor();
    await showGraph();
    await page.getByTestId('phase-node-sample_selection').click();
    const drawer = page.locator('[data-testid=phase-drawer][data-phase=sample_selection]');
    await drawer.waitFor();
    await page.getByTestId('drawer-event').first().waitFor({ timeout: 30_000 });
    const types = await page
      .getByTestId('drawer-activity')
      .evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.activityType!));
    expect(types.length).toBeGreaterThan(0);
    const total = Number(await page.getByTestId('history-timeline').getAttribute('data-count'));
    const events = await page
      .getByTestId('drawer-event')
      .evaluateAll((els) =>
        els.map((el) => ({ type: (el as HTMLElement).dataset.type!, text: el.textContent ?? '' })),
      );
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThan(total);
    // Only activity events, and every scheduled one is of this phase's activities.
    for (const e of events) expect(e.type).toMatch(/^ActivityTask/);
    expect(events.some((e) => e.type === 'ActivityTaskScheduled')).toBe(true);
    await drawerSettled();
    await shot('drawer-light');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
  });

  it('fits the whole graph in its panel on a cancelled cycle, compensation labels clear of the nodes', async () => {
    await page.getByTestId('action-cancel').click();
    await page.getByTestId('preview-dialog').waitFor();
    await page.getByTestId('cancel-reason').fill('scope changed');
    await page.getByTestId('preview-confirm').click();
    await page.locator('[data-testid=phase-graph][data-compensations="5"]').waitFor({ timeout: 90_000 });
    await page
      .locator('[data-testid=open-cycle-status]', { hasText: 'cancelled' })
      .waitFor({ timeout: 30_000 });
    // A reopened cycle starts fitted too: nothing of the last viewport carries over.
    await openCycle(MANUAL);
    await page.locator('[data-testid=phase-graph][data-compensations="5"]').waitFor({ timeout: 30_000 });
    await showGraph();
    const { panel, nodes, labels } = await graphBoxes();
    expect(nodes).toHaveLength(8);
    expect(labels).toHaveLength(4);
    for (const n of nodes) {
      expect(n.x).toBeGreaterThanOrEqual(panel.x);
      expect(n.y).toBeGreaterThanOrEqual(panel.y);
      expect(n.x + n.w).toBeLessThanOrEqual(panel.x + panel.w);
      expect(n.y + n.h).toBeLessThanOrEqual(panel.y + panel.h);
    }
    // Not a fraction of the panel: the nodes span most of its width.
    const span = Math.max(...nodes.map((n) => n.x + n.w)) - Math.min(...nodes.map((n) => n.x));
    expect(span).toBeGreaterThan(panel.w * 0.75);
    const overlap = (a: (typeof nodes)[0], b: (typeof nodes)[0]) =>
      a.x < b.x + b.w && a.x + a.w > b.x && a.y < b.y + b.h && a.y + a.h > b.y;
    for (const l of labels) for (const n of nodes) expect(overlap(l, n)).toBe(false);
    expect(await graphZoom()).toBeGreaterThanOrEqual(14 / 14.86);
    await shot('graph-cancelled-light');
  });

  it('names every phase on the metrics chart', async () => {
    await page
      .locator(`[data-testid=cycle-row][data-workflow-id=${AUTO}][data-status=completed]`)
      .waitFor({ timeout: 180_000 });
    await openCycle(AUTO);
    await page.locator('[data-testid=phase-node-finalize_test_report][data-state=completed]').waitFor();
    await showGraph();
    await shot('graph-completed-light');
    await page.getByTestId('nav-metrics').click();
    await page.getByTestId('metrics-dashboard').waitFor({ timeout: 30_000 });
    const ticks = await page
      .locator('[data-testid=metrics-durations] .MuiChartsAxis-directionX .MuiChartsAxis-tickLabel')
      .allTextContents();
    for (const label of [
      'Planning',
      'Scoping',
      'Sample Selection',
      'Data Owner Identification',
      'Request for Information',
      'Test Execution',
      'Observation Management',
      'Finalize Test Report',
    ])
      // The axis wraps a name over lines (one text element each): compare without the spaces.
      expect(ticks.join('|').replace(/\s+/g, '')).toContain(label.replace(/\s+/g, ''));
    // One run per phase: too few for p90 and p99, and the chart says so.
    await expect(page.getByTestId('metrics-durations').textContent()).resolves.toContain('p90 needs');
    await shot('metrics-light');
    // The per-version lines follow the same rule, and count in English.
    const perVersion = await page.getByTestId('metrics-versions').textContent();
    expect(perVersion).not.toMatch(/p90|p99|\b1 runs/);
    // No axis label cut short anywhere (an all-zero rate chart used to print "0.0…").
    const cut = await page
      .locator('[data-testid=metrics-dashboard] .MuiChartsAxis-tickLabel')
      .allTextContents();
    expect(cut.filter((t) => t.includes('…'))).toEqual([]);

    // The last day trends hour by hour; these cycles all finished within the same hour or two.
    const period = page.getByTestId('metrics-period').locator('[role=combobox]');
    await period.focus();
    await page.keyboard.press('ArrowDown');
    await page.getByRole('option', { name: 'last day' }).click();
    await page.getByTestId('metrics-trends').filter({ hasText: 'per hour' }).waitFor();
    const trend = await page.getByTestId('metrics-trends').textContent();
    expect(trend).toMatch(/needs runs in two hours or more|\d\d:00/);
    await page.getByRole('listbox').waitFor({ state: 'hidden' });
    await page.getByTestId('metrics-trends').scrollIntoViewIfNeeded();
    await shot('metrics-last-day-light');
    await period.focus();
    await page.keyboard.press('ArrowDown');
    await page.getByRole('option', { name: 'all time' }).click();
    await page.getByTestId('metrics-trends').filter({ hasText: 'per day' }).waitFor();
  });

  it('shows one clear panel and no recovery marks or form while archiving is off', async () => {
    await page.getByTestId('nav-recovery').click();
    await page.getByTestId('recovery-archiving-off').waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('recovery-archiving-off').textContent()).resolves.toMatch(/Turn on/);
    await expect(page.getByTestId('timeline-mark').count()).resolves.toBe(0);
    await expect(page.getByTestId('recovery-to').count()).resolves.toBe(0);
    await expect(page.locator('main').textContent()).resolves.not.toContain('?');
    await shot('recovery-off-light');
  });

  it('reads in the dark theme too', async () => {
    await page.getByTestId('theme-toggle').click();
    await page.getByTestId('recovery-archiving-off').waitFor();
    await shot('recovery-off-dark');
    await page.getByTestId('nav-metrics').click();
    await page.getByTestId('metrics-dashboard').waitFor({ timeout: 30_000 });
    await shot('metrics-dark');
    await openCycle(MANUAL);
    await page.locator('[data-testid=phase-graph][data-compensations="5"]').waitFor({ timeout: 30_000 });
    await showGraph();
    await shot('graph-cancelled-dark');
    await page.getByTestId('phase-node-request_for_information').focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=phase-drawer][data-phase=request_for_information]').waitFor();
    await drawerSettled();
    await shot('drawer-dark');
    await page.keyboard.press('Escape');
    await openCycle(AUTO);
    await showGraph();
    await shot('graph-completed-dark');
  });
});
