// Port checks before a start: a taken port is named with its owner where the OS tells, and a free one offered.
import fs from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { OpsError } from '../api';
import type { PortCheck, ServiceId, Settings } from '../api';
import type { StepReporter } from './provider';

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Any free port on 127.0.0.1, chosen by the OS. */
export function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A free port in [low, high), starting from a spot derived from `spread` so parallel stacks spread out. */
export async function freePortInRange(
  low: number,
  high: number,
  spread: number,
  avoid: Set<number>,
): Promise<number> {
  const span = high - low;
  for (let i = 0; i < span; i++) {
    const port = low + ((spread + i * 7) % span);
    if (!avoid.has(port) && (await isPortFree(port))) return port;
  }
  throw new Error(`no free port between ${low} and ${high}`);
}

/** The next free port above the wanted one, skipping those already promised to other services. */
export async function suggestPort(wanted: number, avoid: Set<number>): Promise<number> {
  for (let port = wanted + 1; port < Math.min(wanted + 200, 65535); port++) {
    if (!avoid.has(port) && (await isPortFree(port))) return port;
  }
  return anyFreePort();
}

/** Which process listens on a TCP port, from /proc (Linux); undefined where the OS does not tell. */
export function portOwner(port: number): string | undefined {
  try {
    const hex = port.toString(16).toUpperCase().padStart(4, '0');
    const inodes = new Set<string>();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      if (!fs.existsSync(table)) continue;
      for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        if (cols[1]?.endsWith(`:${hex}`) && cols[3] === '0A') inodes.add(cols[9] ?? '');
      }
    }
    if (inodes.size === 0) return undefined;
    for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      let fds: string[];
      try {
        fds = fs.readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        try {
          const target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
          const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
          if (inode && inodes.has(inode)) {
            const name = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
            return `${name} (pid ${pid})`;
          }
        } catch {
          // the fd closed while we looked
        }
      }
    }
    return 'another process';
  } catch {
    return undefined;
  }
}

export async function checkPorts(wanted: Array<{ service: ServiceId; port: number }>): Promise<PortCheck[]> {
  const promised = new Set(wanted.map((w) => w.port));
  const checks: PortCheck[] = [];
  for (const { service, port } of wanted) {
    if (await isPortFree(port)) {
      checks.push({ service, port, free: true });
      continue;
    }
    const suggestion = await suggestPort(port, promised);
    promised.add(suggestion);
    checks.push({ service, port, free: false, owner: portOwner(port), suggestion });
  }
  return checks;
}

/** The four services' ports from the settings, checked. */
export function checkStackPorts(p: Settings['stack']['ports']): Promise<PortCheck[]> {
  return checkPorts([
    { service: 'app-postgres', port: p.appPostgres },
    { service: 'temporal-postgres', port: p.temporalPostgres },
    { service: 'temporal', port: p.temporal },
    { service: 'temporal-ui', port: p.temporalUi },
  ]);
}

/**
 * The ports a start needs, free or the start fails with what holds each and a free port to use instead. A port
 * held by a process that just died is released a moment later: with `settleMs`, look again briefly first.
 */
export async function ensurePortsFree(
  wanted: Array<{ service: ServiceId; port: number }>,
  report: StepReporter,
  settleMs = 0,
): Promise<void> {
  let taken = (await checkPorts(wanted)).filter((c) => !c.free);
  for (let waited = 0; waited < settleMs && taken.length > 0; waited += 100) {
    await sleep(100);
    taken = (await checkPorts(wanted)).filter((c) => !c.free);
  }
  if (taken.length === 0) return;
  const text = taken
    .map((t) => `${t.port} (${t.service}) is taken by ${t.owner ?? 'another process'}`)
    .join('; ');
  report.step('ports', 'failed', text);
  throw new OpsError(
    'PORT_IN_USE',
    `Port ${text}.`,
    `Change Settings → Stack → ports (${taken.map((t) => `${t.service}: try ${t.suggestion}`).join(', ')}), or stop the other process.`,
    { ports: taken },
  );
}
