// The Docker provider's public face: the provider, the engine lookup, and the pure container plan.
export { DockerProvider, type DockerProviderOptions } from './provider';
export { connectEngine, engineCandidates, type EngineCandidate } from './engine';
export {
  planStack,
  resolveDockerSettings,
  type DockerSettings,
  type TemporalContainerOverride,
} from './containers';
