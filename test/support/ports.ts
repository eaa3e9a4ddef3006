// Tests always use free ports, found with the back end's own helper. They come from below the OS's range for
// outgoing connections (32768–60999 on Linux): a port there can be taken by any connection another test opens while
// the service it is meant for is stopped, as during a restart, and the service then cannot listen on it again.
import { freePortInRange } from '../../main/stack/ports';

const given = new Set<number>();

export async function freePort(): Promise<number> {
  const port = await freePortInRange(10_000, 20_000, Math.floor(Math.random() * 10_000), given);
  given.add(port);
  return port;
}
