// Each service's state as its container's inspect shows it (reads only).
import type Docker from 'dockerode';
import type { ServiceId, ServiceStatus } from '../../api';
import { LABEL_SERVICE } from './containers';
import { LABELS, ownedContainers } from './lifecycle';

const IDS: ServiceId[] = ['app-postgres', 'temporal-postgres', 'temporal', 'temporal-ui'];

export async function serviceStatuses(options: {
  engine: () => Promise<Docker>;
  stackId: string;
  ports: Record<ServiceId, number>;
  /** Whether the plan has a container for the service (the UI can be off). */
  planned: (id: ServiceId) => boolean;
  /** Versions the start read from the services themselves. */
  versions: Map<ServiceId, string>;
}): Promise<ServiceStatus[]> {
  const { ports } = options;
  let docker: Docker;
  try {
    docker = await options.engine();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return IDS.map((id) => ({
      id,
      label: LABELS[id],
      state: 'failed',
      health: 'failed',
      port: ports[id],
      message,
    }));
  }
  const owned = await ownedContainers(docker, options.stackId);
  return Promise.all(
    IDS.map(async (id): Promise<ServiceStatus> => {
      const base = { id, label: LABELS[id], port: ports[id] };
      if (!options.planned(id)) return { ...base, state: 'disabled', health: 'off' };
      const found = owned.find((c) => c.Labels[LABEL_SERVICE] === id);
      if (!found) return { ...base, state: 'stopped', health: 'unknown' };
      const info = await docker
        .getContainer(found.Id)
        .inspect()
        .catch(() => undefined);
      if (!info) return { ...base, state: 'stopped', health: 'unknown' };
      return { ...base, ...stateOf(info), version: options.versions.get(id) ?? imageTag(info.Config.Image) };
    }),
  );
}

/** A container's inspect as a service's state and health. */
export function stateOf(
  info: Docker.ContainerInspectInfo,
): Pick<ServiceStatus, 'state' | 'health' | 'pid' | 'startedAt' | 'message'> {
  const s = info.State;
  if (s.Running) {
    const health = s.Health?.Status;
    return {
      state: 'running',
      health: health === 'unhealthy' ? 'failed' : health === 'starting' ? 'unknown' : 'healthy',
      pid: s.Pid || undefined,
      startedAt: s.StartedAt,
    };
  }
  if (s.Restarting) return { state: 'starting', health: 'unknown' };
  const crashed = s.Status === 'exited' && s.ExitCode !== 0 && !s.OOMKilled ? s.ExitCode : undefined;
  return {
    state: 'stopped',
    health: 'unknown',
    message:
      s.Error ||
      (s.OOMKilled
        ? 'killed: out of memory'
        : crashed !== undefined
          ? `exited with code ${crashed}`
          : undefined),
  };
}

function imageTag(image: string): string | undefined {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? image.slice(at + 1) : undefined;
}
