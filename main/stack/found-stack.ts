// What `up` says when the stack's services already run before it starts them: a console that died (killed,
// crashed) left them behind, or `stack up` started them. `up` adopts them: it watches them and stops them with itself.
import type { StackStatus } from '../api/contract';

export function describeFoundStack(status: StackStatus): string | undefined {
  if (status.provider === 'attached') return undefined;
  const running = status.services.filter((s) => s.state === 'running');
  if (running.length === 0) return undefined;
  const list = running
    .map((s) => {
      const since = s.startedAt ? `, running since ${s.startedAt}` : '';
      return `${s.label} (${s.pid ? `pid ${s.pid}` : `port ${s.port ?? '?'}`}${since})`;
    })
    .join('; ');
  return (
    `Found the stack already running without a console (an earlier console stopped without stopping it, ` +
    `or \`stack up\` started it): ${list}. This console adopts it: it watches these services and stops them ` +
    'when it stops (Ctrl+C). `ops-console stack down` stops them without a console.'
  );
}
