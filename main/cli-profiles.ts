// Headless commands for connection profiles and the audit trail: `ops-console profile …`, `ops-console audit`.
import fs from 'node:fs';
import type { Command } from 'commander';
import type { AuditEntry, Profile, ProfileSecrets, ValidationReport } from './api';
import { OpsError } from './api';
import type { WiredConsole } from './console';

type MakeConsole = () => WiredConsole;

function readFile(file: string | undefined, what: string): string | undefined {
  if (!file) return undefined;
  if (!fs.existsSync(file))
    throw new OpsError(
      'NOT_FOUND',
      `The ${what} file ${file} does not exist.`,
      'Give the path of a PEM file.',
    );
  return fs.readFileSync(file, 'utf8');
}

function fromEnv(variable: string | undefined, what: string): string | undefined {
  if (!variable) return undefined;
  const value = process.env[variable];
  if (value === undefined)
    throw new OpsError(
      'INVALID_INPUT',
      `The ${what} was to come from $${variable}, which is not set.`,
      `Export ${variable} first (secrets are never taken from the command line).`,
    );
  return value;
}

function hostPort(text: string, what: string): { host: string; port: number } {
  const at = text.lastIndexOf(':');
  const port = Number(text.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port))
    throw new OpsError(
      'INVALID_INPUT',
      `${what} must be host:port, not "${text}".`,
      'For example db.internal:5432',
    );
  return { host: text.slice(0, at), port };
}

interface AddOptions {
  provider: Profile['provider'];
  production?: boolean;
  description?: string;
  temporal?: string;
  namespace: string;
  taskQueue?: string;
  webUi?: string;
  tls?: boolean;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsServerName?: string;
  apiKeyEnv?: string;
  appPg?: string;
  appDb?: string;
  appUser: string;
  appSslmode: 'disable' | 'require' | 'verify-ca' | 'verify-full';
  appCa?: string;
  appPasswordEnv?: string;
  temporalPg?: string;
  temporalPgUser: string;
  temporalPgSslmode: 'disable' | 'require' | 'verify-ca' | 'verify-full';
  temporalPgCa?: string;
  temporalPgPasswordEnv?: string;
}

export function profileFromOptions(
  name: string,
  o: AddOptions,
): { profile: Profile; secrets: ProfileSecrets } {
  const profile: Profile = { name, provider: o.provider, production: Boolean(o.production) };
  if (o.description) profile.description = o.description;
  if (o.temporal) {
    const tls = Boolean(o.tls || o.tlsCa || o.tlsCert);
    profile.temporal = {
      address: o.temporal,
      namespace: o.namespace,
      ...(o.taskQueue ? { taskQueue: o.taskQueue } : {}),
      ...(o.webUi ? { webUiUrl: o.webUi } : {}),
      tls: {
        enabled: tls,
        ...(o.tlsServerName ? { serverName: o.tlsServerName } : {}),
        ...(o.tlsCa ? { ca: readFile(o.tlsCa, 'TLS CA') } : {}),
        ...(o.tlsCert ? { clientCert: readFile(o.tlsCert, 'client certificate') } : {}),
      },
    };
  }
  if (o.appPg)
    profile.appPostgres = {
      ...hostPort(o.appPg, '--app-pg'),
      user: o.appUser,
      sslmode: o.appSslmode,
      ...(o.appDb ? { database: o.appDb } : {}),
      ...(o.appCa ? { ca: readFile(o.appCa, 'app Postgres CA') } : {}),
    };
  if (o.temporalPg)
    profile.temporalPostgres = {
      ...hostPort(o.temporalPg, '--temporal-pg'),
      user: o.temporalPgUser,
      sslmode: o.temporalPgSslmode,
      ...(o.temporalPgCa ? { ca: readFile(o.temporalPgCa, 'Temporal Postgres CA') } : {}),
    };
  const secrets: ProfileSecrets = {};
  const key = readFile(o.tlsKey, 'client key');
  if (key) secrets.tlsClientKey = key;
  const apiKey = fromEnv(o.apiKeyEnv, 'API key');
  if (apiKey) secrets.apiKey = apiKey;
  const appPassword = fromEnv(o.appPasswordEnv, 'app Postgres password');
  if (appPassword !== undefined) secrets.appPostgresPassword = appPassword;
  const tPassword = fromEnv(o.temporalPgPasswordEnv, 'Temporal Postgres password');
  if (tPassword !== undefined) secrets.temporalPostgresPassword = tPassword;
  return { profile, secrets };
}

function printReport(report: ValidationReport): void {
  const mark = { healthy: '✓', degraded: '!', failed: '✗', off: '-', skipped: '-' } as const;
  for (const c of report.checks) {
    process.stdout.write(`${mark[c.status]} ${c.group.padEnd(18)} ${c.label}: ${c.detail}\n`);
    if (c.fix && c.status !== 'healthy' && c.status !== 'off') process.stdout.write(`    fix: ${c.fix}\n`);
  }
  process.stdout.write(`overall: ${report.summary ?? report.overall}\n`);
}

function auditLine(e: AuditEntry): string {
  const input = JSON.stringify(e.input);
  const error = e.error ? `  ${e.error.code}: ${e.error.message}` : '';
  return `${e.time}  ${(e.profile ?? 'embedded').padEnd(14)} ${e.operator.padEnd(10)} ${e.op.padEnd(24)} ${e.outcome.padEnd(8)} ${input.length > 80 ? input.slice(0, 79) + '…' : input}${error}\n`;
}

export function registerProfileCommands(program: Command, makeConsole: MakeConsole): void {
  const profile = program
    .command('profile')
    .description('connection profiles: which stack the console looks at');
  profile
    .command('list')
    .description('list the profiles and which one is in use')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const view = await makeConsole().router.invoke('profiles.list', {});
      if (opts.json) return void process.stdout.write(JSON.stringify(view, null, 2) + '\n');
      const current = view.mode.name;
      process.stdout.write(`${current === null ? '*' : ' '} embedded       (the stack from the settings)\n`);
      for (const { profile: p } of view.profiles) {
        const where = p.temporal ? p.temporal.address : 'settings';
        const flags = [p.provider, p.production ? 'PRODUCTION' : '', p.temporal?.tls.enabled ? 'tls' : '']
          .filter(Boolean)
          .join(', ');
        process.stdout.write(`${current === p.name ? '*' : ' '} ${p.name.padEnd(14)} ${where}  (${flags})\n`);
      }
      if (view.mode.production)
        process.stdout.write(
          view.mode.readOnly ? 'read-only (production)\n' : `unlocked until ${view.mode.unlockedUntil}\n`,
        );
    });
  profile
    .command('add <name>')
    .description('create or replace a profile (secrets come from files or environment variables, never argv)')
    .option('--provider <provider>', 'local, docker or attached', 'attached')
    .option('--production', 'open read-only; writes need an unlock')
    .option('--description <text>')
    .option('--temporal <host:port>', 'Temporal frontend address')
    .option('--namespace <ns>', 'Temporal namespace', 'default')
    .option('--task-queue <name>')
    .option('--web-ui <url>', "the cluster's Temporal Web UI (opened from Open in Temporal Web UI)")
    .option('--tls', 'connect to Temporal over TLS')
    .option('--tls-ca <file>', 'server CA (PEM)')
    .option('--tls-cert <file>', 'client certificate (PEM)')
    .option('--tls-key <file>', 'client key (PEM; stored in the secret store)')
    .option('--tls-server-name <name>')
    .option('--api-key-env <VAR>', 'environment variable holding a Temporal API key')
    .option('--app-pg <host:port>', 'app database server')
    .option('--app-db <name>')
    .option('--app-user <user>', 'app database user', 'ops')
    .option('--app-sslmode <mode>', 'disable, require, verify-ca or verify-full', 'disable')
    .option('--app-ca <file>', 'CA of the app database server (PEM)')
    .option('--app-password-env <VAR>', 'environment variable holding the app database password')
    .option('--temporal-pg <host:port>', "Temporal's own database server (optional)")
    .option('--temporal-pg-user <user>', '', 'ops')
    .option('--temporal-pg-sslmode <mode>', '', 'disable')
    .option('--temporal-pg-ca <file>')
    .option('--temporal-pg-password-env <VAR>')
    .action(async (name: string, opts: AddOptions) => {
      const input = profileFromOptions(name, opts);
      await makeConsole().router.invoke('profiles.save', input);
      process.stdout.write(`Profile ${name} saved.\n`);
    });
  profile
    .command('remove <name>')
    .description('delete a profile and its secrets')
    .action(async (name: string) => {
      await makeConsole().router.invoke('profiles.remove', { name });
      process.stdout.write(`Profile ${name} removed.\n`);
    });
  profile
    .command('use <name>')
    .description('switch to a profile ("embedded" for the stack from the settings)')
    .action(async (name: string) => {
      const view = await makeConsole().router.invoke('profiles.use', {
        name: name === 'embedded' ? null : name,
      });
      process.stdout.write(
        `Using ${view.mode.name ?? 'the embedded stack'}${view.mode.production ? ' (production, read-only)' : ''}.\n`,
      );
    });
  profile
    .command('test [name]')
    .description('run the validation checks that apply to a profile; exits non-zero when one failed')
    .option('--json', 'print JSON')
    .option('--integration', 'also start and terminate a trivial workflow')
    .action(async (name: string | undefined, opts: { json?: boolean; integration?: boolean }) => {
      const ops = makeConsole();
      const target = name ?? ops.profiles.mode().name;
      const report = target
        ? await ops.router.invoke('profiles.test', { name: target, integration: Boolean(opts.integration) })
        : await ops.router.invoke('stack.validate', { integration: Boolean(opts.integration) });
      if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else printReport(report);
      process.exitCode = report.overall === 'failed' ? 1 : 0;
    });
  profile
    .command('unlock <name>')
    .description('lift read-only on the production profile in use for a limited time')
    .requiredOption('--confirm <name>', "type the profile's name again")
    .option('--minutes <n>', 'how long', '15')
    .action(async (name: string, opts: { confirm: string; minutes: string }) => {
      const mode = await makeConsole().router.invoke('profiles.unlock', {
        name,
        confirm: opts.confirm,
        minutes: Number(opts.minutes),
      });
      process.stdout.write(`Profile ${name} unlocked until ${mode.unlockedUntil}.\n`);
    });
  profile
    .command('migrate')
    .description(
      "apply the console's app-DB migrations to the stack in force (an attached cluster is never started here)",
    )
    .action(async () => {
      const { applied } = await makeConsole().router.invoke('stack.migrateAppDb', {});
      process.stdout.write(
        applied.length ? `Applied ${applied.join(', ')}.\n` : 'The app database is up to date.\n',
      );
    });
  profile
    .command('lock')
    .description('end an unlock now')
    .action(async () => {
      await makeConsole().router.invoke('profiles.lock', {});
      process.stdout.write('Locked.\n');
    });

  program
    .command('audit')
    .description('list the audit trail (newest first), filtered; --export writes it to a file')
    .option('--json', 'print JSON')
    .option('--op <prefix>', 'operation name or prefix, e.g. workflows.')
    .option('--profile-name <name>', 'only this profile ("embedded" for none)')
    .option('--operator <user>')
    .option('--outcome <outcome>', 'ok, refused or failed')
    .option('--since <iso>')
    .option('--until <iso>')
    .option('--text <text>')
    .option('--limit <n>', 'how many', '100')
    .option('--export <file>', 'write the matching entries to a file (.csv or .jsonl)')
    .action(
      async (opts: {
        json?: boolean;
        op?: string;
        profileName?: string;
        operator?: string;
        outcome?: 'ok' | 'refused' | 'failed';
        since?: string;
        until?: string;
        text?: string;
        limit: string;
        export?: string;
      }) => {
        const ops = makeConsole();
        const filter = {
          ...(opts.op ? { op: opts.op } : {}),
          ...(opts.profileName ? { profile: opts.profileName } : {}),
          ...(opts.operator ? { operator: opts.operator } : {}),
          ...(opts.outcome ? { outcome: opts.outcome } : {}),
          ...(opts.since ? { since: opts.since } : {}),
          ...(opts.until ? { until: opts.until } : {}),
          ...(opts.text ? { text: opts.text } : {}),
        };
        if (opts.export) {
          const format = opts.export.endsWith('.csv') ? 'csv' : 'jsonl';
          const out = await ops.router.invoke('audit.export', { ...filter, format });
          fs.writeFileSync(opts.export, out.content, { mode: 0o600 });
          process.stdout.write(`${out.count} entries written to ${opts.export}\n`);
          return;
        }
        const { entries, total } = await ops.router.invoke('audit.list', {
          ...filter,
          limit: Number(opts.limit),
        });
        if (opts.json) return void process.stdout.write(JSON.stringify({ entries, total }, null, 2) + '\n');
        for (const e of entries) process.stdout.write(auditLine(e));
        process.stdout.write(`${entries.length} of ${total} entries\n`);
      },
    );
}
