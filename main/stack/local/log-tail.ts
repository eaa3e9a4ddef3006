// Follows a service's log file into the console's log bus (the services run detached and write to files).
import fs from 'node:fs';
import type { Logger } from '../../logs';

const LEVELS: Array<[RegExp, keyof Logger]> = [
  [/\b(FATAL|PANIC|ERROR|"level":"error")/i, 'error'],
  [/\b(WARNING|"level":"warn")/i, 'warn'],
];

export class LogTail {
  private offset = 0;
  private timer: NodeJS.Timeout | undefined;
  private partial = '';

  constructor(
    private readonly file: string,
    private readonly log: Logger,
    fromEnd = true,
  ) {
    if (fromEnd && fs.existsSync(file)) this.offset = fs.statSync(file).size;
  }

  start(intervalMs = 250): void {
    this.timer ??= setInterval(() => this.drain(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.drain();
  }

  drain(): void {
    let size: number;
    try {
      size = fs.statSync(this.file).size;
    } catch {
      return;
    }
    if (size < this.offset) this.offset = 0; // rotated or truncated
    if (size === this.offset) return;
    const fd = fs.openSync(this.file, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(size - this.offset, 4 * 1024 * 1024));
      const read = fs.readSync(fd, buffer, 0, buffer.length, this.offset);
      this.offset += read;
      const text = this.partial + buffer.subarray(0, read).toString('utf8');
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line) continue;
        const level = LEVELS.find(([re]) => re.test(line))?.[1] ?? 'info';
        this.log[level](line);
      }
    } finally {
      fs.closeSync(fd);
    }
  }
}

/** The last lines of a log file, for a crash report. */
export function lastLines(file: string, count = 15): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.trimEnd().split('\n').slice(-count).join('\n');
  } catch {
    return '';
  }
}
