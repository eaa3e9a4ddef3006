// `ops-console config validate`: every problem with the settings, ports, binaries and data folder, precisely.
import fs from 'node:fs';
import path from 'node:path';
import { OpsError } from '../api';
import { SettingsStore, defaultDataDir } from '../settings';
import { resolveBinaries } from './binaries';
import { checkPorts } from './ports';
import { stackDataDir } from './spec';

export interface ConfigProblem {
  where: string;
  problem: string;
  fix: string;
}

export async function validateConfig(
  home: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ConfigProblem[]> {
  const dataDir = home ?? defaultDataDir(env);
  const problems: ConfigProblem[] = [];
  let store: SettingsStore;
  try {
    store = new SettingsStore(dataDir, env);
    store.view();
  } catch (err) {
    const e = err as OpsError;
    return [
      { where: path.join(dataDir, 'settings.json'), problem: e.message, fix: e.hint ?? 'Fix the file.' },
    ];
  }
  const settings = store.get();
  if (settings.stack.provider !== 'attached') {
    try {
      resolveBinaries(settings, { ui: settings.stack.enableUi });
    } catch (err) {
      const e = err as OpsError;
      problems.push({ where: 'stack.binaries', problem: e.message, fix: e.hint });
    }
    const p = settings.stack.ports;
    const ports = await checkPorts([
      { service: 'app-postgres', port: p.appPostgres },
      { service: 'temporal-postgres', port: p.temporalPostgres },
      { service: 'temporal', port: p.temporal },
      ...(settings.stack.enableUi ? [{ service: 'temporal-ui' as const, port: p.temporalUi }] : []),
    ]);
    for (const taken of ports.filter((c) => !c.free)) {
      problems.push({
        where: `stack.ports (${taken.service})`,
        problem: `port ${taken.port} is in use by ${taken.owner ?? 'another process'} (fine if it is this stack, already running)`,
        fix: `use ${taken.suggestion}, or stop the other process`,
      });
    }
    const stackDir = stackDataDir(settings, dataDir);
    let probe = stackDir;
    while (!fs.existsSync(probe)) probe = path.dirname(probe);
    try {
      fs.accessSync(probe, fs.constants.W_OK);
    } catch {
      problems.push({
        where: 'stack.dataDir',
        problem: `${probe} is not writable`,
        fix: 'Choose a data folder you can write to.',
      });
    }
  }
  return problems;
}
