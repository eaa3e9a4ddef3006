// Temporal history events → timeline rows: a one-line summary plus the event's attributes with payloads decoded.
import proto, { type temporal as protoTypes } from '@temporalio/proto';
import type { HistoryEventView } from '../api';

// @temporalio/proto is CommonJS: the ESM bundles can only take its default export.
const { temporal } = proto;
type RawEvent = protoTypes.api.history.v1.IHistoryEvent;

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

function summarise(attrs: Record<string, unknown>): string {
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
  return parts.join(' · ');
}

const toTime = (t: unknown) => {
  const ts = t as { seconds?: string; nanos?: number } | undefined;
  if (!ts?.seconds) return '';
  return new Date(Number(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
};

export function historyEventViews(events: RawEvent[]): HistoryEventView[] {
  const HistoryEvent = temporal.api.history.v1.HistoryEvent;
  return events.map((raw) => {
    // fromObject hands back a decoded message as it is and builds one from a plain object.
    const e = HistoryEvent.toObject(HistoryEvent.fromObject(raw as Record<string, unknown>), {
      enums: String,
      longs: String,
      bytes: String,
    }) as Record<string, unknown>;
    const type = typeName(String(e.eventType ?? 'unknown'));
    const attrKey = Object.keys(e).find((k) => k.endsWith('EventAttributes') && e[k]);
    const attributes = decodePayloads(attrKey ? e[attrKey] : {}) as Record<string, unknown>;
    return {
      id: Number(e.eventId),
      time: toTime(e.eventTime),
      type,
      summary: summarise(attributes),
      attributes,
    };
  });
}
