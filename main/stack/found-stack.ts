// What `up` and `stack up` say when the stack's services already run before they start them: a console that
// died (killed, crashed) left them behind, or `stack up` started them. `up` adopts them: it watches them and
// stops them with itself; `stack up` leaves them running, as it does the services it starts.
import type { StackStatus } from '../api';

export function describeFoundStack(status: StackStatus, command: 'up' | 'stack up'): string | undefined {
  if (status.provider === 'attached') return undefined;
  const running = status.services.filter((s) => s.state === 'running');
  if (running.length === 0) return undefined;
  const list = running
    .map((s) => {
      const since = s.startedAt ? `, running since ${s.startedAt}` : '';
      return `${s.label} (${s.pid ? `pid ${s.pid}` : `port ${s.port ?? '?'}`}${since})`;
    })
    .join('; ');
  const found =
    'Found the stack already running (left by a console that stopped without stopping it, or started by ' +
    `\`stack up\`): ${list}.`;
  return command === 'up'
    ? `${found} This console adopts it: it watches these services and stops them when it stops (Ctrl+C).`
    : `${found} Using it as it is; \`ops-console stack down\` stops it.`;
}
