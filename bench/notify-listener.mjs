// A process of its own that only listens on the progress channel and tells its parent when each phase change was
// heard: the floor of the live path (a commit heard by a client that does nothing else), beside which the
// live-update bench prints what the console adds. Usage: fork('bench/notify-listener.mjs', [appDbUrl]).
import pg from 'pg';
import { PROGRESS_CHANNEL, progressEvents } from '../dist-bench/back-end.mjs';
import { phaseChangeKey } from './support.mjs';

const client = new pg.Client({ connectionString: process.argv[2] });
client.on('error', (err) => {
  console.error(`notify listener: ${err.message}`);
  process.exit(1);
});
client.on('notification', (msg) => {
  const at = Date.now();
  if (msg.channel !== PROGRESS_CHANNEL || !msg.payload) return;
  const keys = progressEvents(msg.payload)
    .events.filter((e) => e.table === 'workflow_phases' && e.phase)
    .map(phaseChangeKey);
  if (keys.length) process.send({ at, keys });
});
await client.connect();
await client.query(`LISTEN ${PROGRESS_CHANNEL}`);
process.send({ ready: true });
process.on('disconnect', () => void client.end().finally(() => process.exit(0)));
