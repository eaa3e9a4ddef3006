// The console's log bus: every line from the console and its child processes, kept in a ring and streamed.
import type { EventBus } from '../api/router';
import type { LogLine } from '../api/contract';

export type LogLevel = LogLine['level'];

export class LogBus {
  private readonly ring: LogLine[] = [];
  private seq = 0;

  constructor(
    private readonly events: EventBus,
    private readonly capacity = 20_000,
    private readonly echo: ((line: LogLine) => void) | undefined = undefined,
  ) {}

  write(source: string, level: LogLevel, message: string): LogLine {
    const line: LogLine = { seq: ++this.seq, ts: new Date().toISOString(), source, level, message };
    this.ring.push(line);
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
    this.events.emit('log', line);
    this.echo?.(line);
    return line;
  }

  /** A logger bound to one source, for a service or a part of the console. */
  forSource(source: string) {
    return {
      debug: (m: string) => this.write(source, 'debug', m),
      info: (m: string) => this.write(source, 'info', m),
      warn: (m: string) => this.write(source, 'warn', m),
      error: (m: string) => this.write(source, 'error', m),
    };
  }

  recent(options: { source?: string; limit: number }): LogLine[] {
    const lines = options.source ? this.ring.filter((l) => l.source === options.source) : this.ring;
    return lines.slice(-options.limit);
  }
}

export type Logger = ReturnType<LogBus['forSource']>;
