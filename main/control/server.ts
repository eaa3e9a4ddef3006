// The running console's local control socket: the CLI on the same machine, as the same user, sends its calls
// here so it acts on the same stack, settings, secrets and audit trail. One JSON frame per line, the same frames
// as the WebSocket transport; events stream to every connection.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Router } from '../api';
import {
  MALFORMED_FRAME,
  pushEventsPerTask,
  readCallFrame,
  resultFrame,
  type ServerFrame,
} from '../transport';
import { controlSocketPath } from './socket-path';
import { probeControlSocket } from './client';

export interface ControlSocket {
  path: string;
  close(): Promise<void>;
}

export async function startControlSocket(options: {
  router: Router;
  dataDir: string;
  onLog?: (message: string) => void;
}): Promise<ControlSocket | undefined> {
  const file = controlSocketPath(options.dataDir);
  if (process.platform !== 'win32') {
    if (await probeControlSocket(file)) {
      options.onLog?.(`another console already answers on ${file}; the CLI will talk to that one`);
      return undefined;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.rmSync(file, { force: true }); // left by a console that was killed
  }
  const server = net.createServer((socket) => {
    const send = (frame: ServerFrame) => {
      if (!socket.destroyed) socket.write(JSON.stringify(frame) + '\n');
    };
    socket.on(
      'close',
      pushEventsPerTask(options.router.events, (events) => send({ type: 'events', events })),
    );
    socket.on('error', () => socket.destroy());
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        void answer(line);
      }
    });
    const answer = async (line: string) => {
      const frame = readCallFrame(line);
      if (!frame) return send(MALFORMED_FRAME);
      send(resultFrame(frame.id, await options.router.call(frame.op, frame.input, { via: 'cli' })));
    };
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Created 0600 from the start: no moment when another user could connect.
    const umask = process.platform === 'win32' ? undefined : process.umask(0o177);
    server.listen(file, () => resolve());
    if (umask !== undefined) process.umask(umask);
  });
  if (process.platform !== 'win32') fs.chmodSync(file, 0o600);
  return {
    path: file,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if (process.platform !== 'win32') fs.rmSync(file, { force: true });
      }),
  };
}
