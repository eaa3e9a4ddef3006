// A container's output into the console's log bus, and its last lines for error messages.
import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import { quickLevel, type Logger } from '../../logs';

/**
 * Splits Docker's multiplexed log stream (8-byte frame headers: stream type, 3 zero bytes, big-endian
 * length) into text. A buffer that does not start with a frame header is a TTY stream and is plain text.
 */
export function demuxLogs(buffer: Buffer): string {
  let out = '';
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const type = buffer[offset];
    if (type === undefined || type > 2 || buffer.readUIntBE(offset + 1, 3) !== 0)
      return buffer.toString('utf8');
    const length = buffer.readUInt32BE(offset + 4);
    out += buffer.subarray(offset + 8, offset + 8 + length).toString('utf8');
    offset += 8 + length;
  }
  return offset === 0 ? buffer.toString('utf8') : out;
}

export async function lastLogLines(container: Docker.Container, lines: number): Promise<string> {
  try {
    const raw = (await container.logs({ stdout: true, stderr: true, tail: lines, follow: false })) as Buffer;
    return demuxLogs(raw).trim().split('\n').join(' | ') || 'no output';
  } catch {
    return 'its log could not be read';
  }
}

/**
 * Streams the container's output into the log bus until the container stops: from its start for a container
 * just started, the last lines only for one adopted from an earlier run (its whole history may be large).
 */
export function followContainerLog(
  container: Docker.Container,
  from: { since: string } | { tail: number },
  log: Logger,
  onEnd: () => void,
): void {
  const range =
    'since' in from ? { since: Math.floor(new Date(from.since).getTime() / 1000) || 0 } : { tail: from.tail };
  container
    .logs({ stdout: true, stderr: true, follow: true, ...range })
    .then((stream) => {
      // Services write their whole log to stderr (Postgres does): the stream says nothing about severity, the
      // line does.
      let pending = '';
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          pending += chunk.toString('utf8');
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) if (line.trim()) log[quickLevel(line)](line);
          done();
        },
      });
      container.modem.demuxStream(stream, sink, sink);
      stream.on('end', onEnd);
      stream.on('error', onEnd);
    })
    .catch(onEnd);
}
