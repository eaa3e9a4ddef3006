// What every backup step reaches: where sets live, each cluster's endpoint and PostgreSQL tools, the log.
import fs from 'node:fs';
import path from 'node:path';
import type { BackupKind } from '../api';
import type { ConsoleContext } from '../context';
import type { Logger } from '../logs';
import {
  resolveBinaries,
  type PgTools,
  type PostgresEndpoint,
  type StackBinaries,
  type StackManager,
} from '../stack';
import type { WorkerSupervisor } from '../supervisor';
import type { CycleService } from '../temporal';
import { listSets } from './sets';

export interface BackupDeps {
  stack: StackManager;
  worker: WorkerSupervisor;
  cycles: CycleService;
  consoleVersion: string;
}

/** One database a backup reads or a restore replaces. */
export interface Target {
  kind: BackupKind;
  database: string;
  endpoint: PostgresEndpoint;
}

export const LABEL: Record<BackupKind, string> = { app: 'app DB', temporal: 'Temporal DB' };

/** A UTC timestamp for names: set ids and the *_restore_, *_old_, *_verify_ databases. */
export function stamp(d = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').toLowerCase();
}

export class BackupEnv {
  readonly log: Logger;

  constructor(
    readonly ctx: ConsoleContext,
    readonly deps: BackupDeps,
  ) {
    this.log = ctx.log('backup');
  }

  root(): string {
    const dir = path.join(this.ctx.dataDir, 'backups');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  binaries(): StackBinaries {
    return resolveBinaries(this.ctx.settings.get(), { ui: false });
  }

  /** pg_dump, pg_restore and psql for a cluster. */
  async tools(kind: BackupKind): Promise<PgTools> {
    const provider = await this.deps.stack.provider();
    return provider.pgTools(kind === 'app' ? 'app-postgres' : 'temporal-postgres', this.endpointOf(kind));
  }

  endpointOf(kind: BackupKind): PostgresEndpoint {
    const spec = this.deps.stack.spec();
    return kind === 'app' ? spec.appPostgres : spec.temporalPostgres;
  }

  targets(kinds: BackupKind[]): Target[] {
    const spec = this.deps.stack.spec();
    const list: Target[] = [];
    if (kinds.includes('app'))
      list.push({ kind: 'app', database: spec.appPostgres.database, endpoint: spec.appPostgres });
    if (kinds.includes('temporal'))
      for (const database of spec.temporalPostgres.databases)
        list.push({ kind: 'temporal', database, endpoint: spec.temporalPostgres });
    return list;
  }

  publishSets(): void {
    this.ctx.router.events.emit('backup.sets', listSets(this.root()));
  }
}
