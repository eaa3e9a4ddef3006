// Closing a Temporal connection while a call waits for its retry: with the SDK's own connection the retry timer
// throws "Channel has been shut down" outside any caller (it failed a CI run); the console's connection ends the
// call with an error instead. Real gRPC against a real closed port on 127.0.0.1; no Temporal server is needed.
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { InterceptingCall, ListenerBuilder, type Interceptor } from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lazyTemporalConnection } from '../../../main/stack/connect';

let address: string;
const uncaught: unknown[] = [];
const record = (err: unknown) => uncaught.push(err);

beforeAll(async () => {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  await new Promise((r) => server.close(r)); // nothing listens there now: every attempt is UNAVAILABLE
  process.on('uncaughtException', record);
});

afterEach(() => {
  uncaught.length = 0;
});

afterAll(() => {
  process.off('uncaughtException', record);
});

/** An interceptor that resolves once the first attempt of a call has failed (its retry is then on a timer). */
function firstFailure(): { interceptor: Interceptor; failed: Promise<number> } {
  let resolve!: (code: number) => void;
  const failed = new Promise<number>((r) => (resolve = r));
  const interceptor: Interceptor = (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        next(
          metadata,
          new ListenerBuilder()
            .withOnReceiveStatus((status, passOn) => {
              passOn(status);
              resolve(status.code);
            })
            .build(),
        );
      },
    });
  return { interceptor, failed };
}

describe('Temporal connection', () => {
  it("the SDK's own connection throws outside the caller when closed during a retry (the failure this guards)", () => {
    const script = `
      const { Connection } = require('@temporalio/client');
      const { InterceptingCall, ListenerBuilder } = require('@grpc/grpc-js');
      let failed;
      const first = new Promise((r) => (failed = r));
      const observe = (options, nextCall) => new InterceptingCall(nextCall(options), {
        start(metadata, listener, next) {
          next(metadata, new ListenerBuilder().withOnReceiveStatus((s, pass) => { pass(s); failed(); }).build());
        },
      });
      const { makeGrpcRetryInterceptor, defaultGrpcRetryOptions } = require('@temporalio/client');
      const c = Connection.lazy({ address: '${address}',
        interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), observe] });
      c.workflowService.getSystemInfo({}).catch(() => {});
      first.then(() => setTimeout(() => c.close(), 20));
      setTimeout(() => process.exit(0), 1500);
    `;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toContain('Channel has been shut down');
    expect(run.status).not.toBe(0);
  });

  it("the console's connection ends the waiting call with an error and throws nothing", async () => {
    const { interceptor, failed } = firstFailure();
    const connection = lazyTemporalConnection({ address, interceptors: [interceptor] });
    const call = connection.workflowService.getSystemInfo({}).then(
      () => 'answered',
      (err: { code?: number }) => err.code,
    );
    expect(await failed).toBe(14); // UNAVAILABLE: the retry now waits on a timer
    await new Promise((r) => setTimeout(r, 20));
    await connection.close();
    expect(await call).toBe(14); // the attempt already scheduled ran on the open channel, then no more
    await new Promise((r) => setTimeout(r, 1_000)); // the deferred close has happened
    expect(uncaught).toEqual([]);
    await expect(connection.workflowService.getSystemInfo({})).rejects.toThrow(/shut down|closed/i);
  });

  it('gives a call that would wait for ever an error once its deadline passes', async () => {
    // A peer that accepts the connection and never answers: the stalled frontend a call must not wait on for ever.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket)).listen(0, '127.0.0.1');
    await new Promise((r) => silent.once('listening', r));
    const at = `127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    const connection = lazyTemporalConnection({ address: at }, 300);
    try {
      const code = await connection.workflowService.getSystemInfo({}).then(
        () => 'answered',
        (err: { code?: number }) => err.code,
      );
      expect(code).toBe(4); // DEADLINE_EXCEEDED
      expect(sockets.length).toBeGreaterThan(0); // it did reach the peer
    } finally {
      await connection.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});
