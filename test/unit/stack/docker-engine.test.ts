// Where the Docker provider looks for an engine, and in which order.
import { describe, expect, it } from 'vitest';
import { OpsError } from '../../../main/api/errors';
import { connectEngine, engineCandidates, parseDockerHost } from '../../../main/stack/docker/engine';

const where = (lookup: Parameters<typeof engineCandidates>[0]) =>
  engineCandidates(lookup).map((c) => (c.kind === 'socket' ? c.socketPath : `${c.host}:${c.port}`));

describe('docker engine candidates', () => {
  it('looks at the usual sockets in order when nothing is named: dockerd, Docker Desktop, Colima', () => {
    expect(where({ env: {}, platform: 'linux', home: '/home/op' })).toEqual([
      '/var/run/docker.sock',
      '/home/op/.docker/run/docker.sock',
      '/home/op/.colima/default/docker.sock',
    ]);
    expect(where({ env: {}, platform: 'darwin', home: '/Users/op' })[1]).toBe(
      '/Users/op/.docker/run/docker.sock',
    );
  });

  it("uses Docker Desktop's named pipe on Windows", () => {
    expect(where({ env: {}, platform: 'win32', home: 'C:/Users/op' })).toEqual(['//./pipe/docker_engine']);
  });

  it('tries only what the operator named: DOCKER_HOST first, then the socketPath setting', () => {
    expect(
      where({
        env: { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' },
        socketPath: '/custom/docker.sock',
        platform: 'linux',
        home: '/home/op',
      }),
    ).toEqual(['/run/user/1000/docker.sock', '/custom/docker.sock']);
    expect(where({ env: {}, socketPath: '/custom/docker.sock', platform: 'linux', home: '/h' })).toEqual([
      '/custom/docker.sock',
    ]);
  });

  it('reads unix, npipe and tcp forms of DOCKER_HOST, and ignores what it cannot read', () => {
    expect(parseDockerHost('unix:///var/run/docker.sock')).toMatchObject({
      socketPath: '/var/run/docker.sock',
    });
    expect(parseDockerHost('npipe:////./pipe/docker_engine')).toMatchObject({
      socketPath: '//./pipe/docker_engine',
    });
    expect(parseDockerHost('tcp://127.0.0.1:2375')).toMatchObject({
      kind: 'tcp',
      host: '127.0.0.1',
      port: 2375,
      protocol: 'http',
    });
    expect(parseDockerHost('https://[::1]:2376')).toMatchObject({ host: '::1', protocol: 'https' });
    expect(parseDockerHost('ssh://me@box')).toBeUndefined();
    expect(parseDockerHost(undefined)).toBeUndefined();
  });
});

describe('docker engine connection', () => {
  it('fails with DOCKER_UNAVAILABLE, naming what it tried and how to fix it', async () => {
    const err = await connectEngine({ env: {}, socketPath: '/nonexistent/ops/docker.sock' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OpsError);
    expect((err as OpsError).code).toBe('DOCKER_UNAVAILABLE');
    expect((err as OpsError).message).toContain('/nonexistent/ops/docker.sock');
    expect((err as OpsError).hint).toMatch(/Docker Desktop.*provider to local/s);
  });
});
