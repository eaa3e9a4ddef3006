// Bad input in every form, in real Chromium against `ops-console serve`: each field says in plain words what is
// allowed and what was given, the action stays disabled (Enter does nothing either), and nothing reaches the
// router: the audit trail has no entry for the operation and the files it would change are unchanged.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { SCREENSHOTS, launchBrowser, screenshot } from '../support/browser';
import { scratchHome, startConsole, type ConsoleProcess } from '../support/console-process';

let browser: Browser;
let consoleProcess: ConsoleProcess;
let page: Page;
const pageErrors: string[] = [];
const RAW = /Too small|Too big|expected number|received NaN|INVALID_INPUT|Invalid input|not a positive whole/;

/** The operations the audit trail recorded so far (every write that reached the router, done or refused). */
function auditedOps(): string[] {
  const file = path.join(consoleProcess.home, 'audit.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { op: string }).op);
}

/** The helper text under a field, found from its input's test id. */
function helperOf(testId: string): Locator {
  return page
    .locator('.MuiFormControl-root, .MuiTextField-root')
    .filter({ has: page.getByTestId(testId) })
    .locator('.MuiFormHelperText-root');
}

async function expectHelper(testId: string, text: string): Promise<void> {
  await expect.poll(() => helperOf(testId).textContent()).toBe(text);
  expect(await helperOf(testId).textContent()).not.toMatch(RAW);
}

/**
 * Screenshots of a form with its errors in both themes. The theme follows the system's (the setting's default), so
 * the emulated colour scheme flips it even while a dialog is open, without a write.
 */
async function bothThemes(name: string, part?: Locator): Promise<void> {
  for (const mode of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: mode });
    await page.locator(`[data-testid=app][data-theme-mode=${mode}]`).waitFor();
    await screenshot(page, `forms-${name}-${mode}`);
    if (part) await part.screenshot({ path: path.join(SCREENSHOTS, `forms-${name}-${mode}-part.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

beforeAll(async () => {
  if (!fs.existsSync('dist/renderer/index.html') || !fs.existsSync('dist/cli.mjs'))
    throw new Error('Run `node build.mjs` first.');
  const home = scratchHome();
  fs.writeFileSync(
    path.join(home, 'profiles.json'),
    JSON.stringify({ active: null, profiles: [{ name: 'prod-eu', provider: 'local', production: true }] }),
  );
  consoleProcess = await startConsole('serve', home);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(consoleProcess.url);
  await page.getByTestId('connection-indicator').and(page.locator('[data-state=connected]')).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await consoleProcess?.stop();
});

describe('bad input in the forms (Chromium, browser mode)', () => {
  it('start cycle: a 20-digit id, a word and a bad report id are named in plain words and nothing starts', async () => {
    await page.getByTestId('nav-workflows').click();
    await page.getByTestId('start-cycle-open').click();
    // The stack is stopped in this file: the dialog says so and offers to start it; nothing can start meanwhile.
    await expect(page.getByTestId('start-cycle-stack-down').textContent()).resolves.toContain(
      'The stack is stopped',
    );
    await expect(page.getByTestId('start-cycle-start-stack').isEnabled()).resolves.toBe(true);
    await expect(page.getByTestId('start-cycle-demo-data').isDisabled()).resolves.toBe(true);
    const id = page.getByTestId('start-cycle-id');
    await id.fill('12345678901234567890');
    await expectHelper(
      'start-cycle-id',
      'Cycle id must be a whole number of at most 9007199254740991; you gave 12345678901234567890.',
    );
    await expect(page.getByTestId('start-cycle-submit').isDisabled()).resolves.toBe(true);
    await id.press('Enter');
    await id.fill('seven');
    await expectHelper('start-cycle-id', 'Cycle id must be a number; you gave “seven”.');
    await id.fill('7');
    // A valid form, and still Start waits for the stack.
    await expect(page.getByTestId('start-cycle-submit').isDisabled()).resolves.toBe(true);
    await page.getByTestId('start-cycle-reports').fill('1, x');
    await expectHelper('start-cycle-reports', 'Report ids must be a number; you gave “x”.');
    await page.getByTestId('start-cycle-reports').fill('');
    await expectHelper('start-cycle-reports', 'Report ids: name at least one report.');
    await expect(page.getByTestId('start-cycle-submit').isDisabled()).resolves.toBe(true);
    await page.getByTestId('start-cycle-reports').press('Enter');
    await bothThemes('start-cycle', page.getByTestId('start-cycle-dialog').locator('.MuiDialog-paper'));
    await page.keyboard.press('Escape');
    expect(auditedOps()).not.toContain('workflows.start');
  });

  it('worker scale: 0, 17 and 1.5 processes are refused on the field and the worker is not touched', async () => {
    await page.getByTestId('nav-stack').click();
    const count = page.getByTestId('worker-processes-count');
    for (const [typed, words] of [
      ['0', 'Worker processes must be at least 1; you gave 0.'],
      ['17', 'Worker processes must be at most 16; you gave 17.'],
      ['1.5', 'Worker processes must be a whole number; you gave 1.5.'],
      ['', 'Worker processes is required.'],
    ] as const) {
      await count.fill(typed);
      await expectHelper('worker-processes-count', words);
      await expect(page.getByTestId('worker-scale').isDisabled()).resolves.toBe(true);
      await count.press('Enter');
    }
    await count.fill('17');
    await bothThemes('worker-scale', page.getByTestId('worker-processes'));
    expect(auditedOps()).not.toContain('worker.scale');
    // The control: a valid count turns Scale on (sending it would spawn worker processes, so it is not sent here).
    await count.fill('2');
    await expect(page.getByTestId('worker-scale').isEnabled()).resolves.toBe(true);
    await expect(helperOf('worker-processes-count').textContent()).resolves.toBe('From 1 to 16');
  });

  it('backups: the schedule, retention and a note too long are refused on their fields', async () => {
    await page.getByTestId('nav-backups').click();
    await page.getByTestId('schedule-everyHours').fill('0');
    await expectHelper('schedule-everyHours', 'Every (hours) must be at least 0.01; you gave 0.');
    await page.getByTestId('schedule-keepLast').fill('2.5');
    await expectHelper('schedule-keepLast', 'Keep last must be a whole number; you gave 2.5.');
    await page.getByTestId('schedule-keepDays').fill('5000');
    await expectHelper('schedule-keepDays', 'Keep days must be at most 3650; you gave 5000.');
    await expect(page.getByTestId('schedule-save').isDisabled()).resolves.toBe(true);
    await page.getByTestId('schedule-keepDays').press('Enter');
    await bothThemes('backup-schedule');
    expect(auditedOps()).not.toContain('backups.schedule.set');
    // The control: corrected values are saved.
    await page.getByTestId('schedule-everyHours').fill('12');
    await page.getByTestId('schedule-keepLast').fill('3');
    await page.getByTestId('schedule-keepDays').fill('');
    await page.getByTestId('schedule-save').click();
    await expect.poll(() => auditedOps()).toContain('backups.schedule.set');

    await page.getByTestId('open-backup-wizard').click();
    await page.getByTestId('backup-label').fill('n'.repeat(201));
    await expectHelper('backup-label', 'Note must have at most 200 characters; you gave 201.');
    await expect(page.getByTestId('backup-next').isDisabled()).resolves.toBe(true);
    await page.keyboard.press('Escape');
    expect(auditedOps().filter((op) => op.startsWith('backups.') && op !== 'backups.schedule.set')).toEqual(
      [],
    );
  });

  it('recovery: with archiving off there is no moment to type, only what recovery needs', async () => {
    // The refusal of an unreadable moment is proved where a base backup exists (recovery e2e test).
    await page.getByTestId('nav-recovery').click();
    await page.getByTestId('recovery-archiving-off').waitFor();
    await expect(page.getByTestId('recovery-to').count()).resolves.toBe(0);
    await expect(page.getByTestId('recovery-check').count()).resolves.toBe(0);
    expect(auditedOps().filter((op) => op.startsWith('recovery.'))).toEqual([]);
  });

  it('profiles: a bad name, a port out of range and an emptied host are named, and no profile is saved', async () => {
    const before = fs.readFileSync(path.join(consoleProcess.home, 'profiles.json'), 'utf8');
    await page.getByTestId('nav-profiles').click();
    await page.getByTestId('profile-new').click();
    await page.getByTestId('profile-field-name').fill('prod eu!');
    await expectHelper(
      'profile-field-name',
      'Name: letters, digits, dot, dash and underscore; start with a letter or digit; you gave “prod eu!”.',
    );
    await page.getByTestId('profile-field-address').fill('temporal.prod');
    await expectHelper(
      'profile-field-address',
      'Temporal address: write the address as host:port, for example 127.0.0.1:7233; you gave “temporal.prod”.',
    );
    await page.getByTestId('profile-field-appPort').fill('70000');
    await expectHelper('profile-field-appPort', 'App database port must be at most 65535; you gave 70000.');
    await page.getByTestId('profile-field-appHost').fill('db');
    await page.getByTestId('profile-field-appHost').fill('');
    await expectHelper('profile-field-appHost', 'App database host is required.');
    await expect(page.getByTestId('profile-save').isDisabled()).resolves.toBe(true);
    await bothThemes('profile', page.getByTestId('profile-editor'));
    expect(fs.readFileSync(path.join(consoleProcess.home, 'profiles.json'), 'utf8')).toBe(before);
    expect(auditedOps()).not.toContain('profiles.save');
  });

  it('audit and workflow filters: an end before the start, and text too long, are not sent, and batch actions wait', async () => {
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-since').fill('2026-11-25T12:00');
    await page.getByTestId('audit-until').fill('2026-11-24T12:00');
    await expectHelper(
      'audit-until',
      'To: must not be before the start of the range; you gave 2026-11-24 12:00 UTC.',
    );
    await page.getByTestId('audit-text').fill('t'.repeat(201));
    await expectHelper('audit-text', 'Text must have at most 200 characters; you gave 201.');
    await expect(page.getByTestId('error-alert').count()).resolves.toBe(0);

    await page.getByTestId('nav-workflows').click();
    // The started range is one control: an end before the start is named there and cannot be applied.
    await page.getByTestId('filter-range').click();
    await page.getByTestId('filter-from').fill('2026-11-25T12:00');
    await page.getByTestId('filter-to').fill('2026-11-24T12:00');
    await expect(page.getByTestId('filter-range-message').textContent()).resolves.toContain(
      'starts after it ends',
    );
    await expect(page.getByTestId('filter-range-apply').isDisabled()).resolves.toBe(true);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('filter-range').textContent()).resolves.toBe('Started: any time');
    // A batch acts on what the filters match: with the filters refused, it cannot run on the last valid ones.
    await page.getByTestId('filter-text').fill('x'.repeat(201));
    await page.getByTestId('batch-toggle').click();
    await page.getByTestId('batch-filter-invalid').waitFor();
    await expect(page.getByTestId('batch-preview').isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId('batch-run').isDisabled()).resolves.toBe(true);
    await bothThemes('workflow-filters');
    await page.getByTestId('filter-text').fill('');
    await page.getByTestId('batch-filter-invalid').waitFor({ state: 'detached' });
    // A batch cancel also asks for its reason before it can be previewed.
    await expect(page.getByTestId('batch-preview').isDisabled()).resolves.toBe(true);
    await page.getByTestId('batch-reason').fill('clean-up after the audit');
    await expect(page.getByTestId('batch-preview').isEnabled()).resolves.toBe(true);
    await page.getByTestId('batch-toggle').click();
    expect(auditedOps()).not.toContain('inspection.batchRun');
  });

  it('unlock: a name that does not match is named and the profile stays read-only', async () => {
    await page.getByRole('combobox', { name: 'Connection profile' }).click();
    await page.getByTestId('profile-option-prod-eu').click();
    await page.locator('[data-testid=app][data-production=read-only]').waitFor();
    await page.getByTestId('production-badge').click();
    await page.getByTestId('unlock-confirm').fill('prod');
    await expectHelper('unlock-confirm', "Type the profile's name exactly: prod-eu; you gave “prod”.");
    await expect(page.getByTestId('unlock-submit').isDisabled()).resolves.toBe(true);
    await page.getByTestId('unlock-confirm').press('Enter');
    await page.keyboard.press('Escape');
    await expect(page.locator('[data-testid=app][data-production=read-only]').count()).resolves.toBe(1);
    expect(auditedOps()).not.toContain('profiles.unlock');
  });

  it('showed no page errors and no schema wording anywhere on the pages visited', async () => {
    expect(pageErrors).toEqual([]);
    expect(await page.locator('body').textContent()).not.toMatch(RAW);
  });
});
