// One log file the console writes, rotated by size: name.log, then name.1.log (newest) … name.<keep>.log.
import fs from 'node:fs';

export interface RotationPolicy {
  maxBytes: number;
  /** Rotated files kept besides the current one; the oldest beyond it is deleted. */
  keep: number;
}

/** The path of a rotated part: 0 is the current file. */
export function partPath(file: string, part: number): string {
  return part === 0 ? file : file.replace(/\.log$/, `.${part}.log`);
}

export class RotatingFile {
  private fd: number | undefined;
  private size = 0;
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly file: string,
    private policy: () => RotationPolicy,
  ) {}

  /** Lines are batched and written a moment later, so a burst costs one write. */
  append(line: string): void {
    this.pending.push(line.endsWith('\n') ? line : `${line}\n`);
    this.timer ??= setTimeout(() => this.flush(), 50);
    this.timer.unref?.();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.length) return;
    const lines = this.pending;
    this.pending = [];
    try {
      // A burst larger than the limit is split, so every rotated part is about the configured size.
      const { maxBytes } = this.policy();
      if (this.fd === undefined) this.open();
      let batch: string[] = [];
      let batchBytes = 0;
      const write = () => {
        if (this.fd === undefined) this.open();
        fs.writeSync(this.fd!, batch.join(''));
        this.size += batchBytes;
        batch = [];
        batchBytes = 0;
        if (this.size >= maxBytes) this.rotate();
      };
      for (const line of lines) {
        batch.push(line);
        batchBytes += Buffer.byteLength(line);
        if (this.size + batchBytes >= maxBytes) write();
      }
      if (batch.length) write();
    } catch {
      // A full disk or a removed folder must not take the console down; the next batch tries again.
      this.close();
    }
  }

  private open(): void {
    this.fd = fs.openSync(this.file, 'a', 0o600);
    this.size = fs.fstatSync(this.fd).size;
  }

  /** name.log → name.1.log → … → name.<keep>.log; the oldest goes. */
  rotate(): void {
    this.close();
    const { keep } = this.policy();
    fs.rmSync(partPath(this.file, keep), { force: true });
    for (let part = keep - 1; part >= 0; part--) {
      const from = partPath(this.file, part);
      if (fs.existsSync(from)) fs.renameSync(from, partPath(this.file, part + 1));
    }
    // Parts beyond a lowered keep count would otherwise stay forever.
    for (let part = keep + 1; fs.existsSync(partPath(this.file, part)); part++)
      fs.rmSync(partPath(this.file, part), { force: true });
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    this.size = 0;
  }
}
