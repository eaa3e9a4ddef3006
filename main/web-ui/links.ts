// Addresses of the Temporal Web UI for the stack in force, and the `temporal` CLI command for a cycle. Pure:
// the service feeds it the spec and the profile.
import type { WebUiLinks } from '../api';
import type { StackSpec } from '../stack';

export interface WebUiSource {
  spec: Pick<StackSpec, 'provider' | 'temporal' | 'temporalUi'>;
  /** The embedded UI's port from the settings (allowed even while an attached profile is in force). */
  embeddedUiPort: number;
  /** The attached profile's configured Web UI address, if any. */
  profileWebUiUrl?: string;
}

/** Quotes a shell word only when it needs it. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9._:/@=-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

export function temporalCliCommand(spec: WebUiSource['spec'], workflowId: string, runId?: string): string {
  const t = spec.temporal;
  const args = [
    'temporal',
    'workflow',
    'describe',
    '--address',
    `${t.host}:${t.port}`,
    '--namespace',
    t.namespace,
    '--workflow-id',
    workflowId,
    ...(runId ? ['--run-id', runId] : []),
    ...(t.tls ? ['--tls', ...(t.tls.serverName ? ['--tls-server-name', t.tls.serverName] : [])] : []),
    ...(t.apiKey ? ['--api-key', '"$TEMPORAL_API_KEY"'] : []),
  ];
  return args.map((a) => (a === '"$TEMPORAL_API_KEY"' ? a : shellWord(a))).join(' ');
}

function origin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

export function webUiLinks(
  source: WebUiSource,
  workflow: { workflowId?: string; runId?: string } = {},
): WebUiLinks {
  const { spec } = source;
  const embedded = [`http://127.0.0.1:${source.embeddedUiPort}`, `http://localhost:${source.embeddedUiPort}`];
  const profileOrigin = source.profileWebUiUrl ? origin(source.profileWebUiUrl) : undefined;
  const allowedOrigins = [...embedded, ...(profileOrigin ? [profileOrigin] : [])];
  const cliCommand = workflow.workflowId
    ? temporalCliCommand(spec, workflow.workflowId, workflow.runId)
    : undefined;
  const base =
    spec.provider === 'attached'
      ? source.profileWebUiUrl?.replace(/\/+$/, '')
      : spec.temporalUi.enabled
        ? `http://127.0.0.1:${spec.temporalUi.port}`
        : undefined;
  if (!base) {
    return {
      available: false,
      reason:
        spec.provider === 'attached'
          ? 'This profile names no Temporal Web UI address: add it on the Profiles page (Web UI address).'
          : 'The Temporal Web UI is off: turn on Settings → Stack → “Run the Temporal Web UI”, then restart the stack.',
      ...(cliCommand ? { cliCommand } : {}),
      allowedOrigins,
    };
  }
  const workflowsUrl = `${base}/namespaces/${encodeURIComponent(spec.temporal.namespace)}/workflows`;
  const id = workflow.workflowId ? encodeURIComponent(workflow.workflowId) : undefined;
  return {
    available: true,
    baseUrl: base,
    workflowsUrl,
    ...(id
      ? {
          workflowUrl: workflow.runId
            ? `${workflowsUrl}/${id}/${encodeURIComponent(workflow.runId)}/history`
            : `${workflowsUrl}/${id}`,
        }
      : {}),
    ...(cliCommand ? { cliCommand } : {}),
    allowedOrigins,
  };
}

/** True when the desktop app may open this address in the system browser: an http(s) page of an allowed origin. */
export function isAllowedWebUiUrl(url: string, allowedOrigins: string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  if (parsed.username || parsed.password) return false;
  return allowedOrigins.includes(parsed.origin);
}
