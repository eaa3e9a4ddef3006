// Makes sure an image is on the engine: kept when present, pulled (with progress lines) when not.
import type Docker from 'dockerode';
import { OpsError } from '../../api';

interface PullEvent {
  status?: string;
  id?: string;
  progress?: string;
  error?: string;
}

/** One progress line from a pull event, e.g. `postgres:15.10: a1b2c3 Downloading [==>   ] 12MB/80MB`. */
export function pullProgressLine(image: string, event: PullEvent): string {
  return [`${image}:`, event.id, event.status, event.progress].filter(Boolean).join(' ');
}

/** True when it pulled the image, false when it was already present. */
export async function ensureImage(
  docker: Docker,
  image: string,
  progress: (line: string) => void,
): Promise<boolean> {
  const present = await docker
    .getImage(image)
    .inspect()
    .then(() => true)
    .catch(() => false);
  if (present) return false;
  progress(`${image}: pulling`);
  let lastSent = 0;
  try {
    const stream = await docker.pull(image);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : resolve()),
        (event: PullEvent) => {
          if (event.error) return;
          // A pull emits many events a second: a line every half second is enough for a progress view.
          if (Date.now() - lastSent < 500) return;
          lastSent = Date.now();
          progress(pullProgressLine(image, event));
        },
      );
    });
  } catch (err) {
    throw new OpsError(
      'STACK_FAILED',
      `Could not pull ${image}: ${err instanceof Error ? err.message : String(err)}`,
      'Check that this machine reaches the registry, or set Settings → Stack → Docker → images to images the engine already has.',
    );
  }
  return true;
}
