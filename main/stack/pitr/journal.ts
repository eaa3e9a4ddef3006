// A swap of data folders, journaled so that a console killed half-way is rolled back at the next start.
import fs from 'node:fs';
import path from 'node:path';
import { isAlive } from '../local/process';

export interface SwapStep {
  from: string;
  to: string;
}
interface Journal {
  steps: SwapStep[];
  done: number;
  /** Folders made for the recovery, removed when it is rolled back. */
  scratch: string[];
}

export const journalFile = (stackDir: string) => path.join(stackDir, 'recovery-journal.json');

function write(file: string, journal: Journal): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(journal));
  const fd = fs.openSync(tmp, 'r');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
}

/** Records the recovery's scratch folders before they are made, so a crash leaves nothing behind unnamed. */
export function beginRecovery(stackDir: string, scratch: string[]): void {
  write(journalFile(stackDir), { steps: [], done: 0, scratch });
}

/** Performs the renames one by one, recording each; the journal stays until the swapped stack is validated. */
export function swapFolders(stackDir: string, steps: SwapStep[]): void {
  const file = journalFile(stackDir);
  const journal: Journal = fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Journal)
    : { steps: [], done: 0, scratch: [] };
  journal.steps = steps;
  journal.done = 0;
  write(file, journal);
  for (const step of steps) {
    fs.renameSync(step.from, step.to);
    journal.done++;
    write(file, journal);
  }
}

/** The recovery finished or was abandoned cleanly: forget it. */
export function endRecovery(stackDir: string): void {
  fs.rmSync(journalFile(stackDir), { force: true });
}

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * A recovery replays in the real data folder: a console killed meanwhile leaves that server running. It holds
 * nothing worth keeping (the previous data sits aside, untouched), so it is shut down at once (SIGQUIT).
 */
function stopServerIn(dir: string): boolean {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return false;
  }
  // A stale pid file may name a pid since reused by something else: only a postgres process is signalled.
  const isPostgres = () => {
    try {
      return isAlive(pid) && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
    } catch {
      return false;
    }
  };
  if (!isPostgres()) return false;
  process.kill(pid, 'SIGQUIT');
  for (let i = 0; i < 600 && isAlive(pid); i++) pause(50);
  return true;
}

/** At start: undo a swap that did not finish and remove the scratch folders of an interrupted recovery. */
export function rollBackInterrupted(stackDir: string): string | undefined {
  const file = journalFile(stackDir);
  if (!fs.existsSync(file)) return undefined;
  const journal = JSON.parse(fs.readFileSync(file, 'utf8')) as Journal;
  // The step after the last one recorded may have happened too (killed between the rename and the record):
  // a step happened when its target exists and its source does not. Undone last first.
  const stopped: string[] = [];
  for (let i = Math.min(journal.done, journal.steps.length - 1); i >= 0; i--) {
    const step = journal.steps[i]!;
    if (!fs.existsSync(step.to) || fs.existsSync(step.from)) continue;
    if (stopServerIn(step.to)) stopped.push(step.to);
    fs.renameSync(step.to, step.from);
  }
  // A copy started by the killed console may still be writing: move the folder out of the way first (so the
  // stack never mistakes it for data), then remove it; what cannot be removed yet is left, named, to be deleted.
  const left: string[] = [];
  for (const dir of journal.scratch) {
    if (!fs.existsSync(dir)) continue;
    const trash = `${dir}.discarded-${Date.now()}`;
    fs.renameSync(dir, trash);
    try {
      fs.rmSync(trash, { recursive: true, force: true, maxRetries: 20, retryDelay: 250 });
    } catch {
      left.push(trash);
    }
  }
  fs.rmSync(file);
  return (
    `an interrupted recovery was rolled back (${journal.done} of ${journal.steps.length} folder swaps undone)` +
    (stopped.length ? `; the recovering server in ${stopped.join(', ')} was shut down` : '') +
    (left.length ? `; delete ${left.join(', ')} when nothing writes there any more` : '')
  );
}

/** Stack folders whose recovery runs in this process: a start there must not roll it back. */
export const recoveriesInProgress = new Set<string>();
