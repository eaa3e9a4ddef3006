// Which provider runs the stack in force: local processes, Docker containers, or an attached stack run elsewhere.
import type { ConsoleContext } from '../context';
import type { StackProvider, StackSpec } from './provider';
import { LocalProvider } from './local/provider';
import { SERVICE_CPU_SHARES } from './priority';

export async function createProvider(spec: StackSpec, ctx: ConsoleContext): Promise<StackProvider> {
  switch (spec.provider) {
    case 'local':
      return new LocalProvider(spec, ctx.settings.get(), ctx.logs);
    case 'docker': {
      // Imported on first use: the module (and its engine lookups) stays out of a local-only start-up.
      const { DockerProvider } = await import('./docker');
      const { docker, archiving, servicesYield } = ctx.settings.get().stack;
      return new DockerProvider(spec, docker, {
        logs: ctx.logs,
        archiving,
        temporal: ctx.dockerTemporal,
        cpuShares: servicesYield ? SERVICE_CPU_SHARES : undefined,
      });
    }
    case 'attached': {
      const { AttachedProvider } = await import('./attached');
      return new AttachedProvider(spec, ctx.settings.get());
    }
  }
}
