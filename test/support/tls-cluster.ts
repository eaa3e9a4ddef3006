// Real parts for the attached-provider tests: certificates generated here (openssl), a Postgres that requires
// SSL (ssl=on and hostssl only, reloaded in place), and the Temporal server as four separate services
// (frontend, history, matching, worker) with mutual TLS on the frontend. Everything binds 127.0.0.1.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import YAML from 'yaml';
import { Client, Connection } from '@temporalio/client';
import type { StackSpec } from '../../main/stack/provider';
import { PASSWORD_ENV, temporalConfig, DYNAMIC_CONFIG } from '../../main/stack/local/temporal-config';
import { resolveBinaries } from '../../main/stack/binaries';
import { DEFAULT_SETTINGS } from '../../main/settings';
import { freePort } from './ports';
import { freePortInRange } from '../../main/stack/ports';

export interface Certs {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A second CA nobody trusts, and a client certificate it signed. */
  rogueCa: string;
  rogueClientCert: string;
  rogueClientKey: string;
  files: Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string>;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

function issue(dir: string, name: string, caName: string, ext: string, subject: string): void {
  fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
  openssl(
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      subject,
    ],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${caName}.pem`,
      '-CAkey',
      `${caName}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-sha256',
      '-extfile',
      `${name}.ext`,
    ],
    dir,
  );
}

export function generateCerts(): Certs {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-console-certs-'));
  fs.chmodSync(dir, 0o755);
  for (const ca of ['ca', 'rogue-ca'])
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${ca}.key`,
        '-out',
        `${ca}.pem`,
        '-days',
        '2',
        '-sha256',
        '-subj',
        `/CN=ops-console test ${ca}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      dir,
    );
  const server =
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n';
  const client =
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n';
  issue(dir, 'server', 'ca', server, '/CN=localhost');
  issue(dir, 'client', 'ca', client, '/CN=ops-console');
  issue(dir, 'rogue-client', 'rogue-ca', client, '/CN=intruder');
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o644);
  return {
    dir,
    ca: read('ca.pem'),
    serverCert: read('server.pem'),
    serverKey: read('server.key'),
    clientCert: read('client.pem'),
    clientKey: read('client.key'),
    rogueCa: read('rogue-ca.pem'),
    rogueClientCert: read('rogue-client.pem'),
    rogueClientKey: read('rogue-client.key'),
    files: {
      ca: path.join(dir, 'ca.pem'),
      serverCert: path.join(dir, 'server.pem'),
      serverKey: path.join(dir, 'server.key'),
      clientCert: path.join(dir, 'client.pem'),
      clientKey: path.join(dir, 'client.key'),
    },
  };
}

/** Turns SSL on in a running cluster and allows TCP logins over SSL only (ssl settings reload since PG 10). */
export async function requireSsl(url: string, certs: Certs): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const dataDir = (await client.query('SHOW data_directory')).rows[0].data_directory as string;
    const hbaFile = (await client.query('SHOW hba_file')).rows[0].hba_file as string;
    const owner = fs.statSync(dataDir);
    const cert = path.join(dataDir, 'ops-test-server.crt');
    const key = path.join(dataDir, 'ops-test-server.key');
    fs.writeFileSync(cert, certs.serverCert, { mode: 0o644 });
    fs.writeFileSync(key, certs.serverKey, { mode: 0o600 });
    for (const f of [cert, key]) fs.chownSync(f, owner.uid, owner.gid);
    await client.query(`ALTER SYSTEM SET ssl = 'on'`);
    await client.query(`ALTER SYSTEM SET ssl_cert_file = '${cert}'`);
    await client.query(`ALTER SYSTEM SET ssl_key_file = '${key}'`);
    const hba = fs.readFileSync(hbaFile, 'utf8').replace(/^host(\s+)(?!replication)/gm, 'hostssl$1');
    fs.writeFileSync(hbaFile, hba);
    await client.query('SELECT pg_reload_conf()');
  } finally {
    await client.end();
  }
}

export interface TemporalCluster {
  frontend: string;
  processes: ChildProcess[];
  logs: string[];
  stop(): Promise<void>;
}

const SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;

/** The Temporal server as four processes, one service each, on the persistence of `spec`, with mTLS on the frontend. */
export async function startTemporalCluster(spec: StackSpec, certs: Certs): Promise<TemporalCluster> {
  // A service that dies while the ring forms (a membership port taken meanwhile, a join racing stale rows)
  // gets one more go with fresh ports; the error of the last attempt names the service and its log.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startClusterOnce(spec, certs);
    } catch (err) {
      if (attempt >= 2) throw err;
    }
  }
}

async function startClusterOnce(spec: StackSpec, certs: Certs): Promise<TemporalCluster> {
  const bin = resolveBinaries(DEFAULT_SETTINGS).temporalServer;
  // Membership ports are a smallint in Temporal's schema: below 32768.
  const taken = new Set<number>();
  const member = async () => {
    const port = await freePortInRange(20_000, 32_000, process.pid * 7 + taken.size * 101, taken);
    taken.add(port);
    return port;
  };
  const ports = {
    frontend: await freePort(),
    frontendHttp: await freePort(),
    frontendMembership: await member(),
    history: await freePort(),
    historyMembership: await member(),
    matching: await freePort(),
    matchingMembership: await member(),
    worker: await freePort(),
    workerMembership: await member(),
  };
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-console-temporal-cluster-'));
  const config = YAML.parse(temporalConfig(spec, ports).replace(/^#.*\n/gm, '')) as {
    global: Record<string, unknown>;
  };
  const f = certs.files;
  config.global.tls = {
    frontend: {
      server: {
        certFile: f.serverCert,
        keyFile: f.serverKey,
        requireClientAuth: true,
        clientCaFiles: [f.ca],
      },
      client: { serverName: 'localhost', rootCaFiles: [f.ca] },
    },
    systemWorker: {
      certFile: f.clientCert,
      keyFile: f.clientKey,
      client: { serverName: 'localhost', rootCaFiles: [f.ca] },
    },
  };
  fs.mkdirSync(path.join(root, 'config'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'config', 'development.yaml'),
    `# enable-template\n${YAML.stringify(config)}`,
  );
  fs.writeFileSync(path.join(root, 'config', 'dynamicconfig.yaml'), DYNAMIC_CONFIG);
  const logs: string[] = [];
  const processes = SERVICES.map((service) => {
    const child = spawn(
      bin,
      [
        '--root',
        root,
        '--config',
        'config',
        '--env',
        'development',
        '--allow-no-auth',
        'start',
        '--service',
        service,
      ],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, [PASSWORD_ENV]: spec.temporalPostgres.password },
      },
    );
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(`[${service}] ${line}`);
      if (logs.length > 4000) logs.splice(0, logs.length - 4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    return child;
  });
  const frontend = `127.0.0.1:${ports.frontend}`;
  const stop = async () => {
    await Promise.all(
      processes.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            p.once('exit', () => resolve());
            p.kill('SIGTERM');
            setTimeout(() => p.kill('SIGKILL'), 15_000).unref();
          }),
      ),
    );
  };
  // Ready when the frontend answers over mTLS and a namespace call reaches history (the ring has formed).
  const until = Date.now() + 180_000;
  for (;;) {
    const dead = processes.find((p) => p.exitCode !== null);
    if (dead || Date.now() > until) {
      await stop();
      const which = dead
        ? `${SERVICES[processes.indexOf(dead)]} exited with code ${dead.exitCode}`
        : 'timed out';
      // The dead service's own last lines first (why it exited), then the cluster's last lines.
      const own = dead
        ? logs.filter((l) => l.startsWith(`[${SERVICES[processes.indexOf(dead)]}]`)).slice(-15)
        : [];
      throw new Error(
        `the Temporal cluster did not come up (${which}):\n${[...own, '…', ...logs.slice(-25)].join('\n')}`,
      );
    }
    try {
      const conn = await Connection.connect({
        address: frontend,
        connectTimeout: 2_000,
        tls: {
          serverNameOverride: 'localhost',
          serverRootCACertificate: Buffer.from(certs.ca),
          clientCertPair: { crt: Buffer.from(certs.clientCert), key: Buffer.from(certs.clientKey) },
        },
      });
      try {
        await conn.workflowService.describeNamespace({ namespace: spec.temporal.namespace });
        // History owns its shards and matching answers: a workflow can be started and terminated.
        const client = new Client({ connection: conn, namespace: spec.temporal.namespace });
        const handle = await client.workflow.start('OpsConsoleClusterProbe', {
          taskQueue: 'ops-console-cluster-probe',
          workflowId: `cluster-probe-${Date.now()}`,
          workflowExecutionTimeout: '1 minute',
        });
        await handle.terminate('probe');
        break;
      } finally {
        await conn.close();
      }
    } catch {
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  return { frontend, processes, logs, stop };
}
