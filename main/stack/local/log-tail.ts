// Follows a service's own output file into the console's log bus (the services run detached and write to a
// file); the bus writes the console's rotated log files. Where it got to is kept on disk, so a console started
// later picks up the lines written meanwhile without repeating any, and the output file is emptied once read.
import fs from 'node:fs';
import { quickLevel, type Logger } from '../../logs';

/** Once read to its end and past this size, the service's output file is emptied (its lines are in logs/). */
const TRUNCATE_ABOVE = 8 * 1024 * 1024;

export class LogTail {
  private offset = 0;
  private timer: NodeJS.Timeout | undefined;
  private partial = '';
  private readonly offsetFile: string;

  constructor(
    private readonly file: string,
    private readonly log: Logger,
    fromEnd = true,
  ) {
    this.offsetFile = `${file}.read-offset`;
    const size = fs.existsSync(file) ? fs.statSync(file).size : 0;
    const saved = Number(safeRead(this.offsetFile));
    if (fromEnd) this.offset = size;
    else if (Number.isInteger(saved) && saved > 0 && saved <= size) this.offset = saved;
  }

  start(intervalMs = 250): void {
    this.timer ??= setInterval(() => this.drain(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.drain(true);
  }

  /** `finalOffset`: the offset is written before this returns (stopping); otherwise it is written in the background. */
  drain(finalOffset = false): void {
    let size: number;
    try {
      size = fs.statSync(this.file).size;
    } catch {
      return;
    }
    if (size < this.offset) this.offset = 0; // emptied or replaced
    if (size === this.offset) return;
    const fd = fs.openSync(this.file, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(size - this.offset, 4 * 1024 * 1024));
      const read = fs.readSync(fd, buffer, 0, buffer.length, this.offset);
      this.offset += read;
      const text = this.partial + buffer.subarray(0, read).toString('utf8');
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) if (line) this.log[quickLevel(line)](line);
    } finally {
      fs.closeSync(fd);
    }
    if (this.offset >= TRUNCATE_ABOVE && !this.partial) {
      try {
        if (fs.statSync(this.file).size === this.offset) {
          fs.truncateSync(this.file, 0);
          this.offset = 0;
        }
      } catch {
        // Left as it is: read again from the saved offset next time.
      }
    }
    if (finalOffset) {
      try {
        fs.writeFileSync(this.offsetFile, String(this.offset));
      } catch {
        // The service's folder may be read-only to us; the lines are in the log bus all the same.
      }
    } else this.saveOffset();
  }

  private saving = false;
  private saveAgain = false;

  /**
   * The offset written without holding up the console (a busy service's output is drained four times a second,
   * and a synchronous write waits on a busy disk); one write at a time, the newest offset last.
   */
  private saveOffset(): void {
    if (this.saving) {
      this.saveAgain = true;
      return;
    }
    this.saving = true;
    fs.promises
      .writeFile(this.offsetFile, String(this.offset))
      .catch(() => undefined) // as above: the lines are in the log bus all the same
      .finally(() => {
        this.saving = false;
        if (this.saveAgain) {
          this.saveAgain = false;
          this.saveOffset();
        }
      });
  }
}

function safeRead(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return '';
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
