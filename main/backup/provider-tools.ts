// The one place backups look at the provider's kind: pg_dump, pg_restore and psql run with the local binaries, or
// inside the cluster's container on Docker. Small on purpose: the provider contract is to hand these out itself.
import type { BackupKind } from '../api';
import type { SettingsStore } from '../settings';
import type { StackBinaries, StackSpec, PostgresEndpoint } from '../stack';
import type { DockerProvider } from '../stack/docker';
import { DockerTools, LocalTools, type PgTools } from './tools';

export class ProviderPgTools {
  /** Built once, on the first Docker backup: its engine connection serves every later one. */
  private docker: DockerProvider | undefined;

  constructor(
    private readonly spec: () => StackSpec,
    private readonly settings: SettingsStore,
    private readonly binaries: () => StackBinaries,
  ) {}

  async forCluster(kind: BackupKind, endpoint: PostgresEndpoint): Promise<PgTools> {
    const spec = this.spec();
    if (spec.provider === 'docker') {
      const { DockerProvider } = await import('../stack/docker');
      this.docker ??= new DockerProvider(spec, this.settings.get().stack.docker);
      const docker = this.docker;
      const service = kind === 'app' ? 'app-postgres' : 'temporal-postgres';
      const inside = docker.settings.network === 'host' ? endpoint.port : 5432;
      return new DockerTools(() => docker.serviceContainer(service), endpoint, inside);
    }
    return new LocalTools(this.binaries(), endpoint);
  }
}
