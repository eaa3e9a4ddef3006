// This stack's objects on the engine: the network and volumes made, containers created (or re-created when their
// settings changed), adopted, started, stopped and removed. Containers without our labels are never touched.
import crypto from 'node:crypto';
import type Docker from 'dockerode';
import { OpsError } from '../../api';
import type { ServiceId } from '../../api';
import { ensurePortsFree } from '../ports';
import type { StepReporter } from '../provider';
import { SERVICE_LABELS as LABELS } from '../service-labels';
import { LABEL_SERVICE, ownedFilter, type ContainerPlan, type StackPlan } from './containers';

export { LABELS };
const LABEL_CONFIG = 'ops-console.config';
export const STOP_TIMEOUT_S = 30;

/** Where a container's log is followed from: the last lines of one adopted, or since the start of one started. */
export type FollowFrom = { since: string } | { tail: number };

export function ownedContainers(docker: Docker, stackId: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: ownedFilter(stackId) });
}

export async function ensureNetworkAndVolumes(docker: Docker, plan: StackPlan): Promise<void> {
  const labels = plan.labels;
  if (plan.network) {
    const existing = await docker.listNetworks({ filters: { name: [plan.network] } });
    if (!existing.some((n) => n.Name === plan.network)) {
      await docker.createNetwork({ Name: plan.network, Driver: 'bridge', Labels: labels });
    }
  }
  for (const c of plan.containers) {
    if (!c.volume) continue;
    const exists = await docker
      .getVolume(c.volume)
      .inspect()
      .then(() => true)
      .catch(() => false);
    if (!exists)
      await docker.createVolume({ Name: c.volume, Labels: { ...labels, [LABEL_SERVICE]: c.service } });
  }
  const archive = plan.containers.find((c) => c.archiveVolume)?.archiveVolume;
  if (archive) {
    const exists = await docker
      .getVolume(archive)
      .inspect()
      .then(() => true)
      .catch(() => false);
    if (!exists) await docker.createVolume({ Name: archive, Labels: labels });
  }
}

/** Creates (or re-creates, when its settings changed) and starts one container; adopts it when running. */
export async function ensureRunning(
  docker: Docker,
  plan: ContainerPlan,
  follow: (container: Docker.Container, plan: ContainerPlan, from: FollowFrom) => void,
): Promise<void> {
  const configHash = crypto
    .createHash('sha256')
    .update(JSON.stringify(plan.create))
    .digest('hex')
    .slice(0, 16);
  const existing = docker.getContainer(plan.name);
  const info = await existing.inspect().catch(() => undefined);
  if (info && info.Config.Labels?.[LABEL_CONFIG] !== configHash) {
    // Settings changed since it was created (ports, password, image): replace it; the data volume stays.
    if (info.State.Running) await existing.stop({ t: STOP_TIMEOUT_S }).catch(() => undefined);
    await removeContainer(docker, info.Id);
  } else if (info?.State.Running) {
    follow(existing, plan, { tail: 100 });
    return;
  }
  const container =
    info && info.Config.Labels?.[LABEL_CONFIG] === configHash
      ? existing
      : await docker.createContainer({
          ...plan.create,
          Labels: { ...plan.create.Labels, [LABEL_CONFIG]: configHash },
        });
  await container.start();
  follow(container, plan, { since: new Date(Date.now() - 1_000).toISOString() });
}

/** Stops this stack's containers, dependants first. */
export async function stopOwned(
  docker: Docker,
  stackId: string,
  discarding: boolean | undefined,
): Promise<void> {
  const owned = await ownedContainers(docker, stackId);
  const byService = (ids: ServiceId[]) =>
    owned.filter((c) => ids.includes(c.Labels[LABEL_SERVICE] as ServiceId) && c.State === 'running');
  for (const group of [
    ['temporal-ui'],
    ['temporal'],
    ['app-postgres', 'temporal-postgres'],
  ] as ServiceId[][]) {
    await Promise.all(
      byService(group).map((c) =>
        docker
          .getContainer(c.Id)
          .stop({
            // Before a recovery Temporal's state is about to be replaced: no graceful shutdown to wait for.
            t: discarding && c.Labels[LABEL_SERVICE] === 'temporal' ? 0 : STOP_TIMEOUT_S,
          })
          .catch(alreadyStopped),
      ),
    );
  }
}

/** Removes this stack's (stopped) containers and network, and its volumes when asked; returns their names. */
export async function removeOwned(docker: Docker, stackId: string, deleteData: boolean): Promise<string[]> {
  const filters = ownedFilter(stackId);
  const removed: string[] = [];
  for (const c of await ownedContainers(docker, stackId)) {
    await removeContainer(docker, c.Id);
    removed.push(c.Names?.[0]?.replace(/^\//, '') ?? c.Id);
  }
  for (const n of await docker.listNetworks({ filters })) {
    await docker.getNetwork(n.Id).remove();
    removed.push(n.Name);
  }
  if (deleteData) {
    const { Volumes } = await docker.listVolumes({ filters });
    for (const v of Volumes ?? []) {
      await docker.getVolume(v.Name).remove();
      removed.push(v.Name);
    }
  }
  return removed;
}

/** The container of a service in this stack; NOT_FOUND when it has none. */
export async function findServiceContainer(
  docker: Docker,
  stackId: string,
  service: ServiceId,
): Promise<Docker.ContainerInfo> {
  const found = (await ownedContainers(docker, stackId)).find((c) => c.Labels[LABEL_SERVICE] === service);
  if (!found)
    throw new OpsError(
      'NOT_FOUND',
      `${LABELS[service]} has no container in this stack.`,
      'Start the stack first (Stack → Start all).',
    );
  return found;
}

export async function stopContainer(
  container: Docker.Container,
  discarding: boolean | undefined,
): Promise<void> {
  await container.stop({ t: discarding ? 0 : STOP_TIMEOUT_S }).catch(alreadyStopped);
}

export async function startContainer(container: Docker.Container): Promise<void> {
  await container.start().catch((err: { statusCode?: number }) => {
    if (err.statusCode !== 304) throw err; // 304: already running
  });
}

function alreadyStopped(err: { statusCode?: number }): void {
  // 304: already stopped; 404: already removed (by a request a killed console left with the engine)
  if (err.statusCode !== 304 && err.statusCode !== 404) throw err;
}

/**
 * Removes a container (force), and counts one that is already gone, or being removed, as removed: a console killed
 * half-way can leave a removal the engine carries out while this one runs. Waits until it is gone.
 */
export async function removeContainer(docker: Docker, id: string): Promise<void> {
  const container = docker.getContainer(id);
  try {
    await container.remove({ force: true });
    return;
  } catch (err) {
    const { statusCode, message } = err as { statusCode?: number; message?: string };
    if (statusCode === 404) return;
    if (statusCode !== 409 || !/already in progress/i.test(message ?? '')) throw err;
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    const gone = await container.inspect().then(
      () => false,
      (err: { statusCode?: number }) => {
        if (err.statusCode === 404) return true;
        throw err;
      },
    );
    if (gone) return;
    if (Date.now() > deadline)
      throw new Error(`the engine did not finish removing the container ${id.slice(0, 12)} within 30 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Before starting: the ports of the services not running yet must be free (PORT_IN_USE names who holds them). */
export async function checkPortsFree(
  docker: Docker,
  plan: StackPlan,
  ports: Record<ServiceId, number>,
  report: StepReporter,
): Promise<void> {
  const running = new Set(
    (await ownedContainers(docker, plan.stackId))
      .filter((c) => c.State === 'running')
      .map((c) => c.Labels[LABEL_SERVICE]),
  );
  const wanted = plan.containers
    .filter((c) => !running.has(c.service))
    .map((c) => ({ service: c.service, port: ports[c.service] }));
  await ensurePortsFree(wanted, report);
}
