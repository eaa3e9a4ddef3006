// The console's log files: one per service, worker process and the console itself, under <data folder>/logs.
import fs from 'node:fs';
import path from 'node:path';
import type { LogLine } from '../api';
import { partPath, RotatingFile, type RotationPolicy } from './rotating-file';

/** Sources that are services: their lines are written as the service printed them (its own time and level). */
const SERVICES = new Set(['app-postgres', 'temporal-postgres', 'temporal', 'temporal-ui']);
const WORKER_TAG = /^\[w(\d+)\] /;
export const LOG_NAME = /^[a-z][a-z0-9-]{0,40}$/;

export interface LogFileInfo {
  name: string;
  file: string;
  size: number;
  modifiedAt: string;
  /** Older parts, newest first (part 1, 2, …). */
  rotated: Array<{ part: number; size: number }>;
}

/** Which file a line belongs in: a service's own, `worker-N` per worker process, else the console's. */
export function logNameFor(line: Pick<LogLine, 'source' | 'message'>): string {
  if (SERVICES.has(line.source)) return line.source;
  if (line.source === 'worker') {
    const tag = WORKER_TAG.exec(line.message);
    return `worker-${tag ? tag[1] : '0'}`;
  }
  return 'console';
}

export class LogFiles {
  readonly dir: string;
  private readonly writers = new Map<string, RotatingFile>();

  constructor(
    dataDir: string,
    private readonly policy: () => RotationPolicy,
  ) {
    this.dir = path.join(dataDir, 'logs');
  }

  fileOf(name: string): string {
    return path.join(this.dir, `${name}.log`);
  }

  /** raw: the line is a service's own output, kept as printed; else the console's format with time and level. */
  write(line: LogLine, raw: boolean): void {
    const name = logNameFor(line);
    let writer = this.writers.get(name);
    if (!writer) {
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      writer = new RotatingFile(this.fileOf(name), this.policy);
      this.writers.set(name, writer);
    }
    const message = name.startsWith('worker-') ? line.message.replace(WORKER_TAG, '') : line.message;
    writer.append(raw ? message : `${line.ts} ${line.level} ${line.source}: ${message}`);
  }

  flush(): void {
    for (const writer of this.writers.values()) writer.flush();
  }

  close(): void {
    for (const writer of this.writers.values()) {
      writer.flush();
      writer.close();
    }
  }

  /** Every log there is, with its rotated parts. */
  list(): LogFileInfo[] {
    this.flush();
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((f) => /^[a-z][a-z0-9-]*\.log$/.test(f));
    } catch {
      return [];
    }
    return names.sort().map((f) => {
      const name = f.slice(0, -4);
      const file = this.fileOf(name);
      const stat = fs.statSync(file);
      const rotated: LogFileInfo['rotated'] = [];
      for (let part = 1; fs.existsSync(partPath(file, part)); part++)
        rotated.push({ part, size: fs.statSync(partPath(file, part)).size });
      return { name, file, size: stat.size, modifiedAt: stat.mtime.toISOString(), rotated };
    });
  }
}
