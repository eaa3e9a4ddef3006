// A message to a worker process that has just gone (stopped while it started) is reported, never thrown: thrown,
// it would end the console's main process.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { tell } from '../../../main/supervisor';

describe('telling a worker process', () => {
  it('reports a message to a process that has gone instead of throwing', async () => {
    const child = fork('-e', ['process.exit(0)'], {
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      execArgv: [],
    });
    await once(child, 'exit');
    // Without a callback Node emits 'error' on the child for this, which nobody listens to: an uncaught exception.
    const emitted = once(child, 'error').then(([err]) => ({ emitted: err as Error }));
    const reported = new Promise<{ reported: Error }>((resolve) =>
      tell(child, { type: 'drain' }, (err) => resolve({ reported: err })),
    );
    const outcome = await Promise.race([reported, emitted]);
    expect(outcome).toEqual({
      reported: expect.objectContaining({ message: expect.stringMatching(/channel closed|EPIPE/i) }),
    });
  });

  it('delivers a message to a process that is there', async () => {
    const child = fork('-e', ["process.once('message', (m) => { process.send(m); process.disconnect(); })"], {
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      execArgv: [],
    });
    const failures: Error[] = [];
    tell(child, { type: 'drain' }, (err) => failures.push(err));
    const [echo] = (await once(child, 'message')) as [unknown];
    expect(echo).toEqual({ type: 'drain' });
    await once(child, 'exit');
    expect(failures).toEqual([]);
  });
});
