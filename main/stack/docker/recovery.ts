// In-place recovery on the Docker provider: each base backup is laid into a fresh data volume (by a short-lived
// container of the Postgres image), the Postgres container is re-created on that volume to replay and promote, and
// the previous volume stays untouched beside it. Which volume each cluster uses is a small file in the console's
// data folder; a journal beside it lets the next start put the previous volumes back after a killed console.
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import type { StackSpec } from '../provider';
import type { ClusterRecovery, RecoveryDriver } from '../recovery-driver';
import type { BaseBackup } from '../pitr/base-backup';
import { recoverySettings, waitForRecoveryEnd, withoutRecoverySettings } from '../pitr/replay';
import { PITR_MOUNT, archiveVolumeName, type StackPlan } from './containers';
import { lastLogLines } from './container-logs';
import { execIn } from './wal';
import { removeContainer } from './lifecycle';

type ClusterId = 'app-postgres' | 'temporal-postgres';
export type DataVolumes = Partial<Record<ClusterId, string>>;

/** Marks the short-lived containers a recovery copies with: a rollback removes them. */
export const LABEL_HELPER = 'ops-console.helper';
const volumesFile = (dataDir: string) => path.join(dataDir, 'docker-data-volumes.json');
const journalFile = (dataDir: string) => path.join(dataDir, 'docker-recovery-journal.json');

interface Journal {
  /** The data volumes before the recovery: what a rollback puts back. */
  previous: DataVolumes;
  /** The volumes made for the recovery: removed by a rollback. */
  scratch: string[];
}

/** The data volume each cluster uses, where a recovery changed it (absent: the stack's first volume). */
export function readDataVolumes(dataDir: string): DataVolumes {
  try {
    return JSON.parse(fs.readFileSync(volumesFile(dataDir), 'utf8')) as DataVolumes;
  } catch {
    return {};
  }
}

export function forgetDataVolumes(dataDir: string): void {
  fs.rmSync(volumesFile(dataDir), { force: true });
}

function writeDurably(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value));
  const fd = fs.openSync(tmp, 'r');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
}

/** What the recovery needs of the provider. */
export interface DockerRecoveryHost {
  readonly spec: StackSpec;
  readonly plan: StackPlan;
  engine(): Promise<{ docker: Docker }>;
  /** Creates (or re-creates, on another volume) and starts a Postgres container until it accepts connections. */
  startPostgres(id: ClusterId): Promise<void>;
  serviceContainer(id: ClusterId): Promise<Docker.Container>;
}

export function hasInterruptedRecovery(dataDir: string): boolean {
  return fs.existsSync(journalFile(dataDir));
}

/**
 * Puts the previous data volumes back (the stack is stopped, or about to be started): containers on a scratch
 * volume and leftover copy containers are removed, then the scratch volumes. The previous volumes were never
 * written to by the recovery.
 */
export async function rollBackDockerRecovery(host: DockerRecoveryHost): Promise<string | undefined> {
  const file = journalFile(host.spec.dataDir);
  if (!fs.existsSync(file)) return undefined;
  const journal = JSON.parse(fs.readFileSync(file, 'utf8')) as Journal;
  const { docker } = await host.engine();
  writeDurably(volumesFile(host.spec.dataDir), journal.previous);
  // A console killed half-way can leave requests the engine carries out a moment later: a copy container created
  // then re-creates its scratch volume. Sweep again after a pause until a sweep finds nothing.
  let left: string[] = [];
  for (let sweep = 0; sweep < 5; sweep++) {
    const found = await sweepScratch(docker, host.plan.labels, journal.scratch);
    left = found.left;
    if (found.removed === 0 && sweep > 0) break;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  fs.rmSync(file);
  return (
    'an interrupted recovery was rolled back (the previous data volumes are in use again)' +
    (left.length ? `; remove the volumes ${left.join(', ')} by hand` : '')
  );
}

/** Removes the recovery's containers (on a scratch volume, or copy helpers) and its scratch volumes. */
async function sweepScratch(
  docker: Docker,
  labels: Record<string, string>,
  scratch: string[],
): Promise<{ removed: number; left: string[] }> {
  let removed = 0;
  const ours = await docker.listContainers({
    all: true,
    filters: { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) },
  });
  for (const c of ours) {
    const onScratch = c.Mounts.some((m) => m.Name && scratch.includes(m.Name));
    if (onScratch || c.Labels[LABEL_HELPER]) {
      await removeContainer(docker, c.Id);
      removed++;
    }
  }
  const left: string[] = [];
  for (const volume of scratch) {
    await docker
      .getVolume(volume)
      .remove({ force: true })
      .then(
        () => removed++,
        (err: { statusCode?: number }) => {
          if (err.statusCode !== 404) left.push(volume);
        },
      );
  }
  return { removed, left };
}

export function dockerRecoveryDriver(host: DockerRecoveryHost, stamp: string): RecoveryDriver {
  const dataDir = host.spec.dataDir;
  const ids: ClusterId[] = ['app-postgres', 'temporal-postgres'];
  const work = ids.map((id) => {
    const plan = host.plan.containers.find((c) => c.service === id)!;
    return {
      id,
      plan,
      current: plan.volume!,
      fresh: `${plan.name}-data-${stamp.toLowerCase()}`,
      endpoint: id === 'app-postgres' ? host.spec.appPostgres : host.spec.temporalPostgres,
    };
  });

  const layDown = async (w: (typeof work)[number], backup: BaseBackup, to: Date, inclusive: boolean) => {
    const { docker } = await host.engine();
    await docker.createVolume({ Name: w.fresh, Labels: { ...host.plan.labels } });
    // As root in a container of the same image: the copy keeps the postgres user's ownership and modes.
    const script =
      'set -e; cp -a "$1"/. /target/; rm -f /target/ops-console-base-backup.json /target/postmaster.pid; ' +
      'touch /target/recovery.signal; printf "%s" "$2" >> /target/postgresql.auto.conf; ' +
      'chown -R postgres:postgres /target; chmod 700 /target';
    const settings = recoverySettings(`cp ${PITR_MOUNT}/${w.id}/wal/%f "%p"`, to, inclusive);
    const helper = await docker.createContainer({
      Image: w.plan.image,
      Entrypoint: ['sh', '-c', script],
      Cmd: ['sh', backup.dir, settings],
      User: 'root',
      Labels: { ...host.plan.labels, [LABEL_HELPER]: 'recovery' },
      HostConfig: {
        NetworkMode: 'none',
        Mounts: [
          { Type: 'volume', Source: w.fresh, Target: '/target' },
          {
            Type: 'volume',
            Source: archiveVolumeName(host.plan.stackId),
            Target: PITR_MOUNT,
            ReadOnly: true,
          },
        ],
      },
    });
    try {
      await helper.start();
      const { StatusCode } = (await helper.wait()) as { StatusCode: number };
      if (StatusCode !== 0)
        throw new Error(`copying the base backup of ${w.id} failed: ${await lastLogLines(helper, 5)}`);
    } finally {
      await helper.remove({ force: true }).catch(() => undefined);
    }
  };

  return {
    clusters: work.map((w): ClusterRecovery => ({
      id: w.id,
      oldData: `volume ${w.current}`,
      layDown: (backup, to, inclusive) => layDown(w, backup, to, inclusive),
      replay: async () => {
        try {
          await host.startPostgres(w.id);
          return await waitForRecoveryEnd({ id: w.id, endpoint: w.endpoint });
        } catch (err) {
          const container = await host.serviceContainer(w.id).catch(() => undefined);
          const tail = container ? await lastLogLines(container, 5).catch(() => '') : '';
          throw new Error(`${(err as Error).message}${tail ? ` (${tail})` : ''}`);
        }
      },
      forgetRecovery: async () => {
        const container = await host.serviceContainer(w.id);
        // The settings were read at start; without them no later start recovers again.
        const conf = `${(await execIn(container, ['sh', '-c', 'echo "$PGDATA"'])).stdout.trim()}/postgresql.auto.conf`;
        const text = (await execIn(container, ['cat', conf], { user: 'postgres' })).stdout;
        const r = await execIn(
          container,
          ['sh', '-c', 'printf "%s" "$1" > "$2"', 'sh', withoutRecoverySettings(text), conf],
          {
            user: 'postgres',
          },
        );
        if (r.code !== 0)
          throw new Error(`${w.id}: could not drop the recovery settings: ${r.stderr.trim()}`);
      },
    })),
    begin: async () => {
      const previous = Object.fromEntries(work.map((w) => [w.id, w.current])) as DataVolumes;
      writeDurably(journalFile(dataDir), { previous, scratch: work.map((w) => w.fresh) } satisfies Journal);
    },
    swap: async () => {
      writeDurably(volumesFile(dataDir), Object.fromEntries(work.map((w) => [w.id, w.fresh])));
    },
    end: async () => fs.rmSync(journalFile(dataDir), { force: true }),
    rollBack: async () => void (await rollBackDockerRecovery(host)),
  };
}
