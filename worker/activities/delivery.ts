// Delivers queued outbox messages to the configured mail webhook. Without one, messages stay queued.
import type pg from 'pg';

export async function deliverOutbox(
  client: pg.ClientBase,
  webhook: string,
  cycleId: number,
): Promise<number> {
  if (!webhook) return 0;
  const { rows } = await client.query<{
    id: number;
    recipient: string;
    subject: string;
    body: string;
    dedupe_key: string;
  }>(
    `SELECT id, recipient, subject, body, dedupe_key FROM message_outbox WHERE cycle_id = $1 AND status = 'queued' ORDER BY id`,
    [cycleId],
  );
  for (const m of rows) {
    const response = await fetch(webhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': m.dedupe_key },
      body: JSON.stringify({ to: m.recipient, subject: m.subject, body: m.body }),
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) throw new Error(`mail relay answered ${response.status} for ${m.recipient}`);
    await client.query(
      `UPDATE message_outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = now() WHERE id = $1`,
      [m.id],
    );
  }
  return rows.length;
}
