// Continuous archiving on the Docker provider: the archive volume's folders, and each cluster's WAL archive and
// base backups read and written through its container (the engine may be on another machine: no host paths).
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { OpsError } from '../../api';
import type { PostgresEndpoint } from '../provider';
import type { ArchivedCluster } from '../recovery-driver';
import { parseSegment, type Segment } from '../pitr/wal';
import type { BaseBackup } from '../pitr/base-backup';
import { PITR_MOUNT, type ContainerPlan } from './containers';

type ClusterId = 'app-postgres' | 'temporal-postgres';

interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command in a running container and collects its output and exit code. */
export async function execIn(
  container: Docker.Container,
  cmd: string[],
  options: { user?: string; env?: Record<string, string> } = {},
): Promise<ExecResult> {
  const exec = await container.exec({
    Cmd: cmd,
    User: options.user,
    Env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => (stdout += c.toString()));
  err.on('data', (c: Buffer) => (stderr += c.toString()));
  container.modem.demuxStream(stream, out, err);
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  let info = await exec.inspect();
  // The stream can end a moment before the engine records the exit code.
  for (let i = 0; i < 100 && info.Running; i++) {
    await new Promise((r) => setTimeout(r, 20));
    info = await exec.inspect();
  }
  return { code: info.ExitCode ?? -1, stdout, stderr };
}

/** Gives the postgres user its folders in the archive volume (a fresh volume's root belongs to root). */
export async function prepareArchiveFolders(container: Docker.Container, service: ClusterId): Promise<void> {
  const dir = `${PITR_MOUNT}/${service}`;
  const r = await execIn(
    container,
    ['sh', '-c', 'mkdir -p "$1/wal" "$1/base" && chown postgres:postgres "$1" "$1/wal" "$1/base"', 'sh', dir],
    { user: 'root' },
  );
  if (r.code !== 0) {
    throw new OpsError(
      'STACK_FAILED',
      `The archive folders of ${service} could not be made in its container: ${r.stderr.trim()}`,
      'Check that the image runs PostgreSQL as a user named postgres, then start again.',
    );
  }
}

/** Right after a cluster's container starts, before a segment can be complete (an earlier attempt is counted
 * and retried). */
export async function prepareArchive(docker: Docker, plan: ContainerPlan): Promise<void> {
  if (plan.archiveVolume)
    await prepareArchiveFolders(
      docker.getContainer(plan.name),
      plan.service as 'app-postgres' | 'temporal-postgres',
    );
}

export class DockerArchivedCluster implements ArchivedCluster {
  private readonly wal: string;
  private readonly base: string;

  constructor(
    readonly id: ClusterId,
    readonly endpoint: PostgresEndpoint,
    readonly archivingEnabled: boolean,
    private readonly container: () => Promise<Docker.Container>,
    /** The port the server listens on inside the container. */
    private readonly innerPort: number,
    volume: string,
  ) {
    this.wal = `${PITR_MOUNT}/${id}/wal`;
    this.base = `${PITR_MOUNT}/${id}/base`;
    this.archiveLocation = `${this.wal} (volume ${volume})`;
  }

  readonly archiveLocation: string;

  async running(): Promise<boolean> {
    try {
      return Boolean((await (await this.container()).inspect()).State.Running);
    } catch {
      return false;
    }
  }

  /** A shell line run as postgres in the container, its arguments passed as $1…; fails with its stderr. */
  private async sh(script: string, args: string[] = [], env?: Record<string, string>): Promise<string> {
    const r = await execIn(await this.container(), ['sh', '-c', script, 'sh', ...args], {
      user: 'postgres',
      env,
    });
    if (r.code !== 0) {
      throw new OpsError(
        'STACK_FAILED',
        `${this.id}: ${r.stderr.trim().split('\n').slice(-3).join(' | ') || `exit ${r.code}`}`,
        `Check the ${this.id} container and its archive volume (free space, permissions).`,
      );
    }
    return r.stdout;
  }

  async segments(): Promise<Segment[]> {
    if (!(await this.running())) return [];
    const out = await this.sh('find "$1" -maxdepth 1 -type f -printf "%f %s %T@\\n" 2>/dev/null || true', [
      this.wal,
    ]);
    const list: Segment[] = [];
    for (const line of out.split('\n')) {
      const [name, bytes, at] = line.split(' ');
      const parsed = name ? parseSegment(name) : undefined;
      if (!parsed) continue;
      list.push({ name: name!, ...parsed, bytes: Number(bytes), archivedAt: new Date(Number(at) * 1000) });
    }
    return list.sort((a, b) => a.position - b.position || a.timeline - b.timeline);
  }

  async hasSegment(name: string): Promise<boolean> {
    const r = await execIn(await this.container(), ['test', '-f', `${this.wal}/${name}`], {
      user: 'postgres',
    });
    return r.code === 0;
  }

  async archiveBytes(): Promise<number> {
    if (!(await this.running())) return 0;
    return Number((await this.sh('du -sb "$1" 2>/dev/null | cut -f1', [this.wal])).trim() || 0);
  }

  async baseBackups(): Promise<BaseBackup[]> {
    if (!(await this.running())) return [];
    // One JSON description per complete backup (a `.part` folder is still being written).
    const out = await this.sh(
      'for d in "$1"/*; do case "$d" in *.part) continue ;; esac; ' +
        'f="$d/ops-console-base-backup.json"; [ -f "$f" ] && { tr -d "\\n" < "$f"; echo; }; done; true',
      [this.base],
    );
    return out
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as BaseBackup)
      .sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
  }

  async takeBaseBackup(): Promise<BaseBackup> {
    const label = new Date().toISOString().replace(/[:.]/g, '-');
    const part = `${this.base}/${label}.part`;
    const dir = `${this.base}/${label}`;
    try {
      await this.sh(
        'mkdir -p "$1" && pg_basebackup -h 127.0.0.1 -p "$2" -U "$3" -D "$4" -Fp -X stream --checkpoint=fast -l "$5"',
        [this.base, String(this.innerPort), this.endpoint.user, part, `ops-console ${label}`],
        { PGPASSWORD: this.endpoint.password },
      );
      const backupLabel = await this.sh('cat "$1/backup_label"', [part]);
      const startWal = /START WAL LOCATION: \S+ \(file ([0-9A-F]{24})\)/.exec(backupLabel)?.[1];
      const startTime = /START TIME: (.+)/.exec(backupLabel)?.[1];
      if (!startWal || !startTime)
        throw new Error(`pg_basebackup wrote an unexpected backup_label in ${part}`);
      const meta: BaseBackup = {
        cluster: this.id,
        dir,
        label,
        startWal,
        startedAt: new Date(startTime.trim().replace(' ', 'T').replace(/ UTC$/, 'Z')).toISOString(),
        finishedAt: new Date().toISOString(),
        bytes: Number((await this.sh('du -sb "$1" | cut -f1', [part])).trim()),
      };
      // Described, then renamed whole: a backup without its description, or half written, never counts.
      await this.sh('printf "%s" "$1" > "$2/ops-console-base-backup.json" && mv "$2" "$3"', [
        JSON.stringify(meta),
        part,
        dir,
      ]);
      return meta;
    } catch (err) {
      await this.sh('rm -rf "$1"', [part]).catch(() => undefined);
      throw err;
    }
  }

  async prune(keep: number): Promise<number> {
    const all = await this.baseBackups();
    const drop = all.slice(0, Math.max(0, all.length - keep));
    if (drop.length)
      await this.sh(
        'rm -rf "$@"',
        drop.map((b) => b.dir),
      );
    const keepFrom = all[drop.length] && parseSegment(all[drop.length]!.startWal);
    if (!keepFrom) return 0;
    const old = (await this.segments()).filter((s) => s.position < keepFrom.position).map((s) => s.name);
    for (let i = 0; i < old.length; i += 200)
      await this.sh('cd "$1" && shift && rm -f "$@"', [this.wal, ...old.slice(i, i + 200)]);
    return old.length;
  }
}
