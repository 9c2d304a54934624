/**
 * Xiaomi delivery receipts (docs/vendors/xiaomi.md#receipts; https://dev.mi.com/xiaomihyperos/documentation/detail?pId=1656).
 * Xiaomi POSTs form field `data` = JSON object keyed by message id:
 * `{ "<msgId>": { "type": 1, "targets": "regId1,regId2", "param": "<callback.param>", "timestamp": … } }`.
 * It signs nothing (UNVERIFIED whether it ever does), so `verify` answers 'unsigned' and the
 * gateway authenticates the receipt by the per-tenant secret in the callback URL.
 */
import type { ReceiptEvent, ReceiptHandler, ReceiptRequest } from '../types.js';
import type { XiaomiConfig } from './xiaomi.config.js';
import { XiaomiReceiptType, type XiaomiReceiptEntry } from './xiaomi.wire.js';

const STATUS: ReadonlyMap<number, ReceiptEvent['status']> = new Map<number, ReceiptEvent['status']>([
  [XiaomiReceiptType.delivered, 'delivered'],
  [XiaomiReceiptType.clicked, 'clicked'],
  [XiaomiReceiptType.invalidTarget, 'invalid_token'],
  [XiaomiReceiptType.quotaExceeded, 'quota_exceeded'],
]);

export const xiaomiReceipts: ReceiptHandler<XiaomiConfig> = {
  verify: () => 'unsigned',
  parse: parseXiaomiReceipt,
};

/** One event per (message id, target); an entry without targets gives one event without a token. */
export function parseXiaomiReceipt(req: ReceiptRequest): ReceiptEvent[] {
  const entries = receiptEntries(req);
  const events: ReceiptEvent[] = [];
  for (const [msgId, raw] of Object.entries(entries)) {
    if (raw === null || typeof raw !== 'object') continue;
    const entry = raw as Partial<XiaomiReceiptEntry>;
    const type = Number(entry.type);
    const base: ReceiptEvent = {
      status: STATUS.get(type) ?? 'other',
      vendorStatus: String(entry.type ?? ''),
      vendorMessageId: msgId,
      ...(typeof entry.param === 'string' && entry.param !== '' ? { callbackRef: entry.param } : {}),
    };
    const targets = splitTargets(entry.targets);
    if (targets.length === 0) events.push(base);
    for (const token of targets) events.push({ ...base, token });
  }
  return events;
}

/**
 * The msgId-keyed object, from whichever form arrived. Documented: form field `data` holding
 * JSON. Defensively (UNVERIFIED, docs/vendors/xiaomi.md#receipts) also a JSON body `{ "data": {…} | "<json>" }` or the
 * msgId-keyed object itself, and the raw body when the gateway did not parse it.
 */
function receiptEntries(req: ReceiptRequest): Record<string, unknown> {
  const fromBody = unwrap(req.body);
  if (fromBody) return fromBody;
  const raw = req.rawBody.trim();
  if (raw.startsWith('{')) return unwrap(parseJson(raw)) ?? {};
  const data = new URLSearchParams(raw).get('data');
  return data ? (unwrap({ data }) ?? {}) : {};
}

function unwrap(body: unknown): Record<string, unknown> | undefined {
  if (!isObject(body)) return undefined;
  if (Object.hasOwn(body, 'data')) {
    let data = body.data;
    if (Array.isArray(data)) data = data[0]; // a repeated form field
    if (typeof data === 'string') data = parseJson(data);
    return isObject(data) ? data : undefined;
  }
  // The msgId-keyed object itself: every value an object with a `type`.
  const values = Object.values(body);
  return values.length > 0 && values.every((v) => isObject(v) && 'type' in v) ? body : undefined;
}

function splitTargets(value: unknown): string[] {
  const list = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
  return list.map((s) => s.trim()).filter((s) => s !== '');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
