// Images: kept when the engine has them, pulled with progress lines when not, a pull failure explained.
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { OpsError } from '../../../main/api/errors';
import { SettingsPatchSchema, SettingsSchema } from '../../../main/api/contract';
import { DEFAULT_SETTINGS } from '../../../main/settings';
import { ensureImage, pullProgressLine } from '../../../main/stack/docker/images';

type Event = { status?: string; id?: string; progress?: string };

/** Just enough of an engine for ensureImage: which images it has, and what a pull emits. */
function fakeEngine(present: string[], events: Event[], failure?: Error) {
  const pulled: string[] = [];
  const docker = {
    getImage: (name: string) => ({
      inspect: () =>
        present.includes(name) ? Promise.resolve({}) : Promise.reject(new Error('no such image')),
    }),
    pull: async (name: string) => {
      pulled.push(name);
      return {};
    },
    modem: {
      followProgress: (_s: unknown, done: (err: Error | null) => void, progress: (e: Event) => void) => {
        for (const e of events) progress(e);
        done(failure ?? null);
      },
    },
  };
  return { docker: docker as unknown as Docker, pulled };
}

describe('docker images', () => {
  it('skips the pull when the engine already has the image', async () => {
    const { docker, pulled } = fakeEngine(['postgres:15.10'], []);
    const lines: string[] = [];
    expect(await ensureImage(docker, 'postgres:15.10', (l) => lines.push(l))).toBe(false);
    expect(pulled).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('pulls a missing image and reports its progress', async () => {
    const { docker, pulled } = fakeEngine(
      [],
      [{ id: 'a1b2', status: 'Downloading', progress: '[=>  ] 1MB/9MB' }],
    );
    const lines: string[] = [];
    expect(await ensureImage(docker, 'temporalio/ui:2.54.1', (l) => lines.push(l))).toBe(true);
    expect(pulled).toEqual(['temporalio/ui:2.54.1']);
    expect(lines[0]).toBe('temporalio/ui:2.54.1: pulling');
    expect(lines[1]).toBe('temporalio/ui:2.54.1: a1b2 Downloading [=>  ] 1MB/9MB');
  });

  it('explains a failed pull with what to do', async () => {
    const { docker } = fakeEngine([], [], new Error('registry unreachable'));
    const err = await ensureImage(docker, 'postgres:15.10', () => undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpsError);
    expect((err as OpsError).message).toContain('registry unreachable');
    expect((err as OpsError).hint).toMatch(/Settings → Stack → Docker/);
  });

  it('writes a progress line from whatever parts an event has', () => {
    expect(pullProgressLine('x:1', { status: 'Pull complete', id: 'ff' })).toBe('x:1: ff Pull complete');
    expect(pullProgressLine('x:1', {})).toBe('x:1:');
  });
});

describe('docker settings in the settings contract', () => {
  it('accepts the defaults and a partial docker patch, and refuses an unknown network mode', () => {
    expect(SettingsSchema.parse(DEFAULT_SETTINGS).stack.docker?.network).toBe('bridge');
    expect(
      SettingsPatchSchema.parse({ stack: { docker: { network: 'host', images: { temporal: 'mine:1' } } } }),
    ).toBeTruthy();
    expect(SettingsPatchSchema.safeParse({ stack: { docker: { network: 'overlay' } } }).success).toBe(false);
  });

  it('still reads settings saved before the docker section existed', () => {
    const { docker: _omitted, ...stack } = DEFAULT_SETTINGS.stack;
    expect(SettingsSchema.safeParse({ ...DEFAULT_SETTINGS, stack }).success).toBe(true);
  });
});
