// The saga from the operator's seat, in real Chromium against a real stack and worker: a failed compensation is
// retried and another marked resolved from the ledger, a cycle that needs attention is retried from its page after
// the data is fixed, and the worker card checks replay before a restart.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createConsole, type WiredConsole } from '../../main/console';
import { postgresUrl } from '../../main/stack';
import { launchBrowser, screenshot } from '../support/browser';
import { scratchHome, startConsole, type ConsoleProcess } from '../support/console-process';
import { waitFor } from '../support/cycle-stack';
import { installActivityRefusal } from '../support/ledger-check';
import { freeStackSettings } from '../support/stack-settings';

let browser: Browser;
let consoleProcess: ConsoleProcess;
let page: Page;
let local: WiredConsole;
let db: pg.Pool;
const pageErrors: string[] = [];

const statusOf = async (workflowId: string) =>
  (
    await db.query<{ status: string }>('SELECT status FROM workflow_executions WHERE workflow_id = $1', [
      workflowId,
    ])
  ).rows[0]?.status;

beforeAll(async () => {
  const settings = { ...(await freeStackSettings()), worker: { autoApprove: true, retryBaseMs: 50 } };
  consoleProcess = await startConsole('up', scratchHome(settings));
  await waitFor(
    () => consoleProcess.output().includes('The embedded stack is running.'),
    120_000,
    'the stack to start',
  );
  // The same settings and secrets as the console under test: to prepare data and look at the rows directly.
  local = createConsole({ mode: 'cli', dataDir: consoleProcess.home, env: {} });
  const spec = local.stack.spec();
  db = new pg.Pool({ connectionString: postgresUrl(spec.appPostgres, spec.appPostgres.database), max: 2 });
  await local.router.invoke('workflows.createDemoData', { reports: 2 });
  await installActivityRefusal(db);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(consoleProcess.url);
  await page.getByTestId('connection-indicator').and(page.locator('[data-state=connected]')).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await db?.end();
  await local?.shutdown();
  await consoleProcess?.stop();
});

describe('the saga in the console', () => {
  it('retries one failed compensation and marks another resolved from the ledger', async () => {
    const workflowId = 'test-cycle-7101';
    await db.query(`INSERT INTO test_refusals VALUES ($1, 'executeTests')`, [workflowId]);
    await db.query(`
      CREATE FUNCTION test_refuse_7101() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.cycle_id = 7101 AND TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'refused for the test: % of cycle 7101', TG_TABLE_NAME;
        ELSIF OLD.cycle_id = 7101 THEN
          IF NEW.status = 'withdrawn' THEN RAISE EXCEPTION 'refused for the test: rfis of cycle 7101'; END IF;
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
      END $$;
      CREATE TRIGGER test_refuse_7101 BEFORE DELETE ON samples FOR EACH ROW EXECUTE FUNCTION test_refuse_7101();
      CREATE TRIGGER test_refuse_7101 BEFORE UPDATE ON rfis FOR EACH ROW EXECUTE FUNCTION test_refuse_7101();`);
    await local.router.invoke('workflows.start', { cycleId: 7101, reportIds: [1, 2], skipPhases: [] });
    await waitFor(
      async () => (await statusOf(workflowId)) === 'compensation_failed',
      120_000,
      'the cycle to end',
    );

    await page.goto(`${consoleProcess.url}#/compensation`);
    const row = (phase: string) => page.locator(`[data-testid=ledger-row][data-phase=${phase}]`);
    await row('sample_selection').locator('[data-outcome=failed]').waitFor();
    await row('request_for_information')
      .getByText(/refused for the test: rfis/)
      .waitFor();
    await screenshot(page, 'saga-ledger-failed');

    await db.query('DROP TRIGGER test_refuse_7101 ON samples');
    await row('sample_selection').getByTestId('compensation-retry').click();
    await row('sample_selection').locator('[data-outcome=done]').waitFor({ timeout: 60_000 });
    expect(await row('sample_selection').getByTestId('ledger-counts').textContent()).toMatch(
      /removed \d+ samples/,
    );

    await row('request_for_information').getByTestId('compensation-resolve').click();
    const dialog = page.getByTestId('resolve-dialog');
    expect(await page.getByTestId('resolve-confirm').isDisabled()).toBe(true);
    await dialog.waitFor();
    await page.getByTestId('resolve-note').fill('RFIs closed by hand with the owners');
    await page.getByTestId('resolve-confirm').click();
    await row('request_for_information').locator('[data-outcome=resolved]').waitFor();
    expect(await row('request_for_information').getByTestId('compensation-resolution').textContent()).toMatch(
      /RFIs closed by hand with the owners/,
    );
    await screenshot(page, 'saga-ledger-resolved');

    // The graph shows the same outcomes.
    await page.goto(`${consoleProcess.url}#/workflows?open=${workflowId}`);
    await page
      .locator('[data-testid=phase-compensation-request_for_information][data-outcome=resolved]')
      .waitFor();
    await page.getByTestId('open-cycle-status').filter({ hasText: 'compensation_failed' }).waitFor();
  });

  it('a cycle that needs attention is retried from its page once the data is fixed', async () => {
    const owner = await db.query<{ id: number }>(
      `INSERT INTO data_owners (name) VALUES ('Owner without address') RETURNING id`,
    );
    await db.query(
      `INSERT INTO reports (id, name, data_owner_id) VALUES (60, 'Unreachable owner report', $1)`,
      [owner.rows[0]!.id],
    );
    const workflowId = 'test-cycle-7201';
    await local.router.invoke('workflows.start', {
      cycleId: 7201,
      reportIds: [1, 60],
      skipPhases: [],
      waitForOperator: true,
    });
    await page.goto(`${consoleProcess.url}#/workflows?open=${workflowId}`);
    const panel = page.getByTestId('attention-panel');
    await panel.waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('attention-failure').textContent()).toMatch(
      /Owner without address.*no email address/,
    );
    expect(await page.getByTestId('attention-skip').isEnabled()).toBe(true); // Request for Information may be skipped
    await screenshot(page, 'saga-needs-attention');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'saga-needs-attention-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await db.query(`UPDATE data_owners SET email = 'reachable@demo.invalid' WHERE id = $1`, [
      owner.rows[0]!.id,
    ]);
    await page.getByTestId('attention-by').fill('qa-lead');
    await page.getByTestId('attention-retry').click();
    await waitFor(async () => (await statusOf(workflowId)) === 'completed', 120_000, 'the cycle to complete');
    await panel.waitFor({ state: 'hidden' });
    await page.getByTestId('open-cycle-status').filter({ hasText: 'completed' }).waitFor();
  });

  it('the worker card checks replay before restarting the worker', async () => {
    await page.goto(`${consoleProcess.url}#/stack`);
    await page.getByTestId('worker-replay-check').click();
    await page.getByTestId('upgrade-check').click();
    const verdict = page.getByTestId('upgrade-verdict');
    await verdict.waitFor({ timeout: 120_000 });
    expect(await verdict.textContent()).toMatch(/replays on this bundle/);
    expect(
      await page.locator('[data-testid=upgrade-result][data-outcome=replays]').count(),
    ).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'saga-replay-check');

    await page.getByTestId('upgrade-bundle').fill('/nowhere/bundle.js');
    await page.getByTestId('upgrade-check').click();
    await page
      .getByTestId('error-alert')
      .filter({ hasText: /There is no workflow bundle/ })
      .waitFor();
    expect(pageErrors).toEqual([]);
  });
});
