// Temporal history events → timeline rows: a one-line summary plus the event's attributes with payloads decoded.
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import type { HistoryEventView } from '../api/contract/inspection';

type RawEvent = temporal.api.history.v1.IHistoryEvent;

function decodePayloads(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodePayloads);
  if (!value || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const meta = obj.metadata as Record<string, string> | undefined;
  if (meta && typeof obj.data === 'string' && typeof meta.encoding === 'string') {
    const encoding = Buffer.from(meta.encoding, 'base64').toString();
    if (encoding === 'json/plain') {
      try {
        return JSON.parse(Buffer.from(obj.data, 'base64').toString());
      } catch {
        return obj;
      }
    }
    return { encoding, bytes: Buffer.from(obj.data, 'base64').length };
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, decodePayloads(v)]));
}

const typeName = (raw: string) =>
  raw
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase());

function summarise(type: string, attrs: Record<string, unknown>): string {
  const get = (path: string): unknown =>
    path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], attrs);
  const failure = get('failure.message');
  const parts = [
    get('activityType.name'),
    get('signalName'),
    get('queryType'),
    get('workflowType.name'),
    get('reason'),
    typeof failure === 'string' ? `failed: ${failure}` : undefined,
    get('attempt') && Number(get('attempt')) > 1 ? `attempt ${String(get('attempt'))}` : undefined,
  ].filter((p): p is string => typeof p === 'string' && p.length > 0);
  return parts.join(' · ') || type;
}

export function historyEventViews(events: RawEvent[]): HistoryEventView[] {
  if (events.length === 0) return [];
  const json = JSON.parse(historyToJSON({ events })) as { events: Array<Record<string, unknown>> };
  return json.events.map((e) => {
    const type = typeName(String(e.eventType ?? 'unknown'));
    const attrKey = Object.keys(e).find((k) => k.endsWith('EventAttributes'));
    const attributes = decodePayloads(attrKey ? e[attrKey] : {}) as Record<string, unknown>;
    return {
      id: Number(e.eventId),
      time: String(e.eventTime ?? ''),
      type,
      summary: summarise(type, attributes),
      attributes,
    };
  });
}
