/**
 * Meizu delivery receipts (docs/vendors/meizu.md#receipts; "消息送达与回执" in
 * https://github.com/MEIZUPUSH/PushAPI). Every second Meizu POSTs, form-urlencoded, two fields:
 * - `cb`: JSON keyed `"<msgId>-<type>"`, each value `{ "param": "<callback.param>", "type": 1|2, "targets": ["pushId", …] }`;
 * - `access_token`: the token set for the receipt URL in the Meizu console, its only authentication.
 * When the tenant configured `receiptAccessToken`, verify() compares it; otherwise it answers
 * 'unsigned' and the gateway authenticates the receipt by the per-tenant secret in the callback URL.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ReceiptEvent, ReceiptHandler, ReceiptRequest } from '../types.js';
import type { MeizuConfig } from './meizu.config.js';
import { MeizuReceiptType } from './meizu.wire.js';

const STATUS: ReadonlyMap<number, ReceiptEvent['status']> = new Map<number, ReceiptEvent['status']>([
  [MeizuReceiptType.delivered, 'delivered'],
  [MeizuReceiptType.clicked, 'clicked'],
]);

export const meizuReceipts: ReceiptHandler<MeizuConfig> = {
  verify(req, config) {
    if (config.receiptAccessToken === undefined) return 'unsigned';
    const given = fieldOf(req, 'access_token') ?? '';
    return same(given, config.receiptAccessToken) ? 'valid' : 'invalid';
  },
  parse: parseMeizuReceipt,
};

/** One event per (message, type, pushId); an entry without targets gives one event without a token. */
export function parseMeizuReceipt(req: ReceiptRequest): ReceiptEvent[] {
  const cb = parseJson(fieldOf(req, 'cb') ?? '');
  if (!isObject(cb)) return [];
  const events: ReceiptEvent[] = [];
  for (const [key, raw] of Object.entries(cb)) {
    if (!isObject(raw)) continue;
    // The key is "<msgId>-<type>"; split at the last dash (the type is a number, the msgId hex).
    const dash = key.lastIndexOf('-');
    const msgId = dash > 0 ? key.slice(0, dash) : key;
    const type = Number(raw.type ?? (dash > 0 ? key.slice(dash + 1) : NaN));
    const base: ReceiptEvent = {
      status: STATUS.get(type) ?? 'other',
      vendorStatus: Number.isFinite(type) ? String(type) : '',
      ...(msgId ? { vendorMessageId: msgId } : {}),
      ...(typeof raw.param === 'string' && raw.param !== '' ? { callbackRef: raw.param } : {}),
    };
    const targets = splitTargets(raw.targets);
    if (targets.length === 0) events.push(base);
    for (const token of targets) events.push({ ...base, token });
  }
  return events;
}

/** A form field from the parsed body (a repeated field: the first), else from the raw body. */
function fieldOf(req: ReceiptRequest, name: string): string | undefined {
  if (isObject(req.body) && Object.hasOwn(req.body, name)) {
    let v: unknown = req.body[name];
    if (Array.isArray(v)) v = v[0];
    if (typeof v === 'string') return v;
    if (isObject(v)) return JSON.stringify(v); // a JSON body carrying `cb` as an object
  }
  const raw = req.rawBody.trim();
  if (raw === '' || raw.startsWith('{')) return undefined;
  return new URLSearchParams(raw).get(name) ?? undefined;
}

function splitTargets(value: unknown): string[] {
  const list = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
  return list.map((s) => s.trim()).filter((s) => s !== '');
}

function same(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
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
