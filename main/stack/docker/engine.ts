// Finds the Docker engine the console talks to, and proves it answers before anything else is tried.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { OpsError } from '../../api';

/** One place an engine may listen: a unix socket or named pipe, or a TCP address. */
export type EngineCandidate =
  | { kind: 'socket'; socketPath: string; source: string }
  | { kind: 'tcp'; host: string; port: number; protocol: 'http' | 'https'; source: string };

export interface EngineLookup {
  /** Settings → Stack → Docker → socketPath. */
  socketPath?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

export const WINDOWS_PIPE = '//./pipe/docker_engine';

/** Reads DOCKER_HOST (unix://, npipe://, tcp://) into a candidate; undefined when it is unset or unreadable. */
export function parseDockerHost(value: string | undefined): EngineCandidate | undefined {
  if (!value) return undefined;
  const source = 'DOCKER_HOST';
  if (value.startsWith('unix://'))
    return { kind: 'socket', socketPath: value.slice('unix://'.length), source };
  if (value.startsWith('npipe://')) {
    return { kind: 'socket', socketPath: value.slice('npipe://'.length).replace(/\\/g, '/'), source };
  }
  const match = /^(tcp|http|https):\/\/([^:/]+|\[[^\]]+\]):(\d+)\/?$/.exec(value);
  if (!match) return undefined;
  const [, scheme, host, port] = match as unknown as [string, string, string, string];
  return {
    kind: 'tcp',
    host: host.replace(/^\[|\]$/g, ''),
    port: Number(port),
    protocol: scheme === 'https' ? 'https' : 'http',
    source,
  };
}

/**
 * Where to look, in order. An engine the operator named (DOCKER_HOST, or the socketPath setting) is the only
 * one tried: silently falling back to another engine would start the stack somewhere they did not choose.
 */
export function engineCandidates(lookup: EngineLookup = {}): EngineCandidate[] {
  const env = lookup.env ?? process.env;
  const platform = lookup.platform ?? process.platform;
  const home = lookup.home ?? os.homedir();
  const named: EngineCandidate[] = [];
  const fromEnv = parseDockerHost(env.DOCKER_HOST);
  if (fromEnv) named.push(fromEnv);
  if (lookup.socketPath) named.push({ kind: 'socket', socketPath: lookup.socketPath, source: 'settings' });
  if (named.length > 0) return named;
  if (platform === 'win32') return [{ kind: 'socket', socketPath: WINDOWS_PIPE, source: 'Docker Desktop' }];
  const sockets = [
    { socketPath: '/var/run/docker.sock', source: 'dockerd' },
    { socketPath: path.join(home, '.docker', 'run', 'docker.sock'), source: 'Docker Desktop' },
    { socketPath: path.join(home, '.colima', 'default', 'docker.sock'), source: 'Colima' },
  ];
  return sockets.map((s) => ({ kind: 'socket' as const, ...s }));
}

export function describeCandidate(candidate: EngineCandidate): string {
  return candidate.kind === 'socket'
    ? candidate.socketPath
    : `${candidate.protocol}://${candidate.host}:${candidate.port}`;
}

function clientFor(candidate: EngineCandidate): Docker {
  return candidate.kind === 'socket'
    ? new Docker({ socketPath: candidate.socketPath })
    : new Docker({ host: candidate.host, port: candidate.port, protocol: candidate.protocol });
}

async function answers(docker: Docker, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs / 1000} s`), timeoutMs);
  });
  try {
    return await Promise.race([
      docker.ping().then(
        () => undefined,
        (err: unknown) => (err instanceof Error ? err.message : String(err)),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface ConnectedEngine {
  docker: Docker;
  candidate: EngineCandidate;
}

/** The first candidate that answers a ping; DOCKER_UNAVAILABLE, with what was tried, when none does. */
export async function connectEngine(lookup: EngineLookup = {}, timeoutMs = 3_000): Promise<ConnectedEngine> {
  const tried: string[] = [];
  for (const candidate of engineCandidates(lookup)) {
    const where = describeCandidate(candidate);
    const isPipe = candidate.kind === 'socket' && candidate.socketPath.startsWith('//./pipe/');
    if (candidate.kind === 'socket' && !isPipe && !fs.existsSync(candidate.socketPath)) {
      tried.push(`${where} (${candidate.source}): no such socket`);
      continue;
    }
    const docker = clientFor(candidate);
    const problem = await answers(docker, timeoutMs);
    if (!problem) return { docker, candidate };
    tried.push(`${where} (${candidate.source}): ${problem}`);
  }
  throw new OpsError(
    'DOCKER_UNAVAILABLE',
    `No Docker engine answers. Tried ${tried.join('; ')}.`,
    'Start Docker Desktop (or dockerd, or Colima) and try again, set Settings → Stack → Docker → socket path ' +
      'to where your engine listens, or switch Settings → Stack → provider to local.',
    { tried },
  );
}
