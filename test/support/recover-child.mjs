// A console in its own process that recovers the stack to a moment, for the tests that kill it with SIGKILL half-way.
// It runs the benchmarks' build of the back end (dist-bench/, `node build.mjs bench`), with the Temporal container override the Docker tests need
// (the CLI has no option for it). Usage: node test/support/recover-child.mjs <home> <to> [<dockerTemporal JSON>]
import { createConsole } from '../../dist-bench/back-end.mjs';

const [home, to, temporal] = process.argv.slice(2);
const ops = createConsole({
  mode: 'cli',
  dataDir: home,
  env: {},
  ...(temporal ? { dockerTemporal: JSON.parse(temporal) } : {}),
});
await ops.router.invoke('recovery.recover', { to, inclusive: true, confirm: true });
await ops.shutdown();
