// The CLI's side of the control socket: when a console runs for this data folder, each call goes to it (with the
// events it raises meanwhile, such as backup progress); when none answers, the CLI acts alone.
import net from 'node:net';
import type { EventName } from '../api';
import type { CallResult, EventBus, Router } from '../api';
import type { ServerFrame } from '../transport';
import { OpsErrorShapeSchema } from '../api';
import { controlSocketPath } from './socket-path';

const CONNECT_TIMEOUT_MS = 2_000;

function connect(file: string): Promise<net.Socket | undefined> {
  return new Promise((resolve) => {
    const socket = net.createConnection(file);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(undefined);
    }, CONNECT_TIMEOUT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}

function asError(error: unknown): CallResult {
  const shape = OpsErrorShapeSchema.safeParse(error);
  return shape.success
    ? { ok: false, error: shape.data }
    : {
        ok: false,
        error: {
          code: 'INTERNAL',
          message: 'The running console answered with an error this CLI cannot read.',
          hint: 'Use the same version of the CLI as the running console.',
        },
      };
}

/** True when a console answers on this socket (a file left by a killed console does not). */
export async function probeControlSocket(file: string): Promise<boolean> {
  const socket = await connect(file);
  socket?.destroy();
  return Boolean(socket);
}

export interface RunningConsole {
  socket: string;
  /** Sends one call; events the console raises until it answers are emitted on `events`. */
  call(op: string, input: unknown, events?: EventBus): Promise<CallResult>;
}

/** The console running for this data folder, or undefined when none answers. */
export async function findRunningConsole(dataDir: string): Promise<RunningConsole | undefined> {
  const file = controlSocketPath(dataDir);
  if (!(await probeControlSocket(file))) return undefined;
  return {
    socket: file,
    call: async (op, input, events) => {
      const socket = await connect(file);
      if (!socket) {
        return {
          ok: false,
          error: {
            code: 'UNAVAILABLE',
            message: `The running console stopped answering on ${file}.`,
            hint: 'Run the command again: with no console running it acts alone.',
          },
        };
      }
      return new Promise<CallResult>((resolve) => {
        let buffered = '';
        const finish = (result: CallResult) => {
          socket.destroy();
          resolve(result);
        };
        socket.on('data', (chunk: Buffer) => {
          buffered += chunk.toString('utf8');
          let newline: number;
          while ((newline = buffered.indexOf('\n')) >= 0) {
            const frame = JSON.parse(buffered.slice(0, newline)) as ServerFrame;
            buffered = buffered.slice(newline + 1);
            if (frame.type === 'events')
              for (const event of frame.events) events?.emit(event.name as EventName, event.payload as never);
            else if (frame.id === 1)
              finish(frame.ok ? { ok: true, result: frame.result } : asError(frame.error));
          }
        });
        socket.on('close', () =>
          finish({
            ok: false,
            error: {
              code: 'UNAVAILABLE',
              message: 'The running console closed the connection before answering.',
              hint: 'Check the console is still running (ops-console info), then try again.',
            },
          }),
        );
        socket.write(JSON.stringify({ type: 'call', id: 1, op, input }) + '\n');
      });
    },
  };
}

/**
 * Makes a CLI's router send every call to the console running for its data folder, looked up once at the
 * first call; with none running, calls are handled here as before.
 */
export function forwardToRunningConsole(router: Router, dataDir: string): void {
  let running: Promise<RunningConsole | undefined> | undefined;
  router.setForwarder(async (op, input) => {
    running ??= findRunningConsole(dataDir);
    const target = await running;
    return target ? target.call(op, input, router.events) : undefined;
  });
}
