// One service stopped on purpose for a while (a restore of the database it holds locks in), then started again
// whatever happened; the crash watcher leaves a paused service alone meanwhile.
import { OpsError } from '../api';
import type { ServiceStatus } from '../api';
import type { Logger } from '../logs';
import type { StackProvider } from './provider';

export interface PauseHost {
  provider: StackProvider;
  /** Services the crash watcher leaves alone. */
  paused: Set<ServiceStatus['id']>;
  log: Logger;
  refresh: () => Promise<unknown>;
}

/** Runs inside the manager's serialised section (no start or stop meanwhile). */
export async function withServiceStopped<T>(
  host: PauseHost,
  service: ServiceStatus['id'],
  work: (stopped: Promise<void>) => Promise<T>,
  options: { overlap?: boolean; discarding?: boolean },
): Promise<T> {
  const { provider } = host;
  if (!provider.stopService || !provider.startService)
    throw new OpsError(
      'NOT_SUPPORTED',
      `The ${provider.kind} provider cannot stop ${service} alone.`,
      'Use the local provider, or stop the stack and restore by hand.',
    );
  host.paused.add(service);
  host.log.info(`stopping ${service} for a while`);
  // With overlap, work starts while the service shuts down and awaits `stopped` where it must.
  const stopped = provider
    .stopService(service, { discarding: options.discarding })
    .then(() => host.refresh().then(() => undefined));
  stopped.catch(() => undefined);
  try {
    if (!options.overlap) await stopped;
    return await work(stopped);
  } finally {
    await stopped.catch(() => undefined);
    host.log.info(`starting ${service} again`);
    try {
      await provider.startService(service);
    } finally {
      host.paused.delete(service);
      await host.refresh();
    }
  }
}
