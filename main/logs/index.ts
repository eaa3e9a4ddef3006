// The console's log bus: every line from the console and its child processes, kept in a ring and streamed.
import type { EventBus } from '../api';
import type { LogLine } from '../api';

export type LogLevel = LogLine['level'];

/** Sees every line as it is written; raw: a service's own output line, as it printed it. */
export type LogSink = (line: LogLine, raw: boolean) => void;

export class LogBus {
  private readonly ring: LogLine[] = [];
  private seq = 0;
  private readonly sinks = new Set<LogSink>();

  constructor(
    private readonly events: EventBus,
    private readonly capacity = 20_000,
    private readonly echo: ((line: LogLine) => void) | undefined = undefined,
  ) {}

  write(source: string, level: LogLevel, message: string, raw = false): LogLine {
    const line: LogLine = { seq: ++this.seq, ts: new Date().toISOString(), source, level, message };
    this.ring.push(line);
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
    this.events.emit('log', line);
    this.echo?.(line);
    for (const sink of this.sinks) {
      try {
        sink(line, raw);
      } catch {
        // A sink (a log file on a full disk) failing must not lose the line for the others.
      }
    }
    return line;
  }

  addSink(sink: LogSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  /**
   * A logger bound to one source, for a service or a part of the console. raw: what it logs are the service's
   * own output lines (its log file keeps them as printed).
   */
  forSource(source: string, options: { raw?: boolean } = {}) {
    const raw = options.raw ?? false;
    return {
      debug: (m: string) => this.write(source, 'debug', m, raw),
      info: (m: string) => this.write(source, 'info', m, raw),
      warn: (m: string) => this.write(source, 'warn', m, raw),
      error: (m: string) => this.write(source, 'error', m, raw),
    };
  }

  recent(options: { source?: string; limit: number }): LogLine[] {
    const lines = options.source ? this.ring.filter((l) => l.source === options.source) : this.ring;
    return lines.slice(-options.limit);
  }
}

export type Logger = ReturnType<LogBus['forSource']>;

export { LogFiles, logNameFor, LOG_NAME, type LogFileInfo } from './files';
export { readBefore, readAfter, type LogPage, type PageLine, type LogFilter } from './reader';
export { parseLine, quickLevel, levelOf, type ParsedLine } from './parse';
export { RotatingFile, partPath, type RotationPolicy } from './rotating-file';
export { registerLogOperations, rotationOf } from './service';
