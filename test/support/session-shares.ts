// A process's nice, its session and its session's share, read from /proc; and whether this machine lets a process's
// session share (its autogroup) be changed: the kernel may have autogroups off, or a sandbox may refuse the write or
// keep the share as it was. Tried on a detached sleep of the test's own, written and read back directly (not through
// the code under test).
import { spawn } from 'node:child_process';
import fs from 'node:fs';

/** The fields of a /proc stat file after the command's name (state first), which may itself hold spaces. */
function statFields(file: string): string[] {
  const stat = fs.readFileSync(file, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** One thread's nice, from /proc. */
export function threadNiceOf(pid: number, tid: number): number {
  return Number(statFields(`/proc/${pid}/task/${tid}/stat`)[16]);
}

/** A process's nice (its main thread's), from /proc. */
export function niceOf(pid: number): number {
  return threadNiceOf(pid, pid);
}

/** The session a process belongs to (its leader's pid), from /proc. */
export function sessionIdOf(pid: number): number {
  return Number(statFields(`/proc/${pid}/stat`)[3]);
}

/**
 * The session share's nice of a process (its autogroup). The kernel shows nothing for the default group, the one
 * shared by every process that never started a session (under init, or a CI runner): its share is nice 0.
 */
export function sessionNiceOf(pid: number | 'self'): number | undefined {
  const text = fs.readFileSync(`/proc/${pid}/autogroup`, 'utf8');
  if (text.trim() === '') return 0;
  const m = / nice (-?\d+)/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** Undefined when a session's share can be changed here; otherwise why not. */
export async function sessionSharesRefusal(): Promise<string | undefined> {
  const probe = spawn('/bin/sleep', ['30'], { detached: true, stdio: 'ignore' });
  try {
    for (let attempt = 1; ; attempt++) {
      // An unprivileged user may change one session's share per tenth of a second (EAGAIN between two): the
      // pause also leaves the code under test its next change.
      await new Promise((r) => setTimeout(r, 150));
      try {
        fs.writeFileSync(`/proc/${probe.pid}/autogroup`, '3');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' && attempt < 3) continue;
        return `the kernel refused the write (${code ?? String(err)})`;
      }
      const nice = sessionNiceOf(probe.pid!);
      await new Promise((r) => setTimeout(r, 150));
      return nice === 3 ? undefined : `the kernel kept it at nice ${nice}`;
    }
  } finally {
    probe.kill();
  }
}
