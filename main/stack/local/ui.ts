// The optional Temporal Web UI server of the local provider, bound to 127.0.0.1.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { OpsError } from '../../api';
import type { StackSpec } from '../provider';
import { DetachedService } from './detached';
import { setTimeout as sleep } from 'node:timers/promises';
import { lastLines } from './log-tail';
import { checkPorts } from '../ports';

/** How often the start asks the Web UI for its page (it answers about 150 ms after its launch). */
export const UI_POLL_MS = 20;

export class LocalTemporalUi {
  readonly dir: string;
  readonly server: DetachedService;

  constructor(
    baseDir: string,
    private readonly spec: StackSpec,
    binary: string,
  ) {
    this.dir = path.join(baseDir, 'temporal-ui');
    this.server = new DetachedService('temporal-ui-server', this.dir, binary, [
      '--root',
      this.dir,
      '--config',
      'config',
      '--env',
      'development',
      'start',
    ]);
  }

  get url(): string {
    return `http://127.0.0.1:${this.spec.temporalUi.port}/`;
  }

  async start(signal: AbortSignal): Promise<void> {
    if (!this.server.pid()) {
      fs.mkdirSync(path.join(this.dir, 'config'), { recursive: true });
      const config = {
        temporalGrpcAddress: `127.0.0.1:${this.spec.temporal.port}`,
        host: '127.0.0.1',
        port: this.spec.temporalUi.port,
        enableUi: true,
        defaultNamespace: this.spec.temporal.namespace,
        hideLogs: true,
      };
      fs.writeFileSync(path.join(this.dir, 'config', 'development.yaml'), YAML.stringify(config));
      this.server.start();
    }
    const deadline = Date.now() + 30_000;
    while (!signal.aborted) {
      if (!this.server.pid()) throw await this.exited();
      try {
        if ((await fetch(this.url, { signal: AbortSignal.timeout(1_000) })).ok) return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline)
        throw new OpsError(
          'TIMEOUT',
          `The Temporal UI did not answer on ${this.url}.`,
          `Read ${this.server.logFile}.`,
        );
      await sleep(UI_POLL_MS);
    }
  }

  /**
   * Why the server is gone. Its log says nothing when it cannot listen (the settings hide its own log), so a port
   * that another process took since the start's check is named here, with that process.
   */
  private async exited(): Promise<OpsError> {
    const [check] = await checkPorts([{ service: 'temporal-ui', port: this.spec.temporalUi.port }]);
    if (check && !check.free)
      return new OpsError(
        'PORT_IN_USE',
        `The Temporal UI could not listen on 127.0.0.1:${check.port}: ${check.owner ?? 'another process'} took the port after the start checked it.`,
        `Start again, or change Settings → Stack → ports (Web UI) to a port nothing else uses.`,
        { ports: [check] },
      );
    return new OpsError(
      'STACK_FAILED',
      `The Temporal UI exited: ${lastLines(this.server.logFile, 5)}`,
      `Read ${this.server.logFile}.`,
    );
  }

  stop(): Promise<void> {
    return this.server.stop();
  }
}
