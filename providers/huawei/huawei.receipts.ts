/**
 * Huawei delivery receipts (docs/vendors/huawei.md#receipts; https://developer.huawei.com/consumer/en/doc/HMS-References/push-receiptapi/).
 * Huawei POSTs `{statuses:[{biTag, appid, token, status, timestamp, requestId}]}` and, when a
 * callback user name and key are configured in AGC, signs it in `X-HUAWEI-CALLBACK-ID`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ReceiptEvent, ReceiptHandler, ReceiptRequest } from '../types.js';
import type { HuaweiConfig } from './huawei.config.js';
import { HUAWEI_CALLBACK_HEADER, type HuaweiReceiptStatus } from './huawei.wire.js';

/** A signed receipt older (or further in the future) than this is refused as a replay. */
export const HUAWEI_RECEIPT_MAX_AGE_MS = 5 * 60_000;

/** `value = Base64(HmacSHA256(key = callbackKey, message = timestamp + nonce + callbackUserName))`. */
export function signHuaweiCallback(timestamp: string, nonce: string, callbackUserName: string, callbackKey: string): string {
  return createHmac('sha256', callbackKey).update(timestamp + nonce + callbackUserName, 'utf8').digest('base64');
}

/** The `X-HUAWEI-CALLBACK-ID` header value for a receipt (used by the simulator). */
export function huaweiCallbackHeader(timestamp: number, nonce: string, callbackUserName: string, callbackKey: string): string {
  return `timestamp=${timestamp};nonce=${nonce};value=${signHuaweiCallback(String(timestamp), nonce, callbackUserName, callbackKey)}`;
}

/** `timestamp=…;nonce=…;value=…` → its parts (the base64 value may itself end in '='). */
export function parseHuaweiCallbackHeader(header: string): { timestamp: string; nonce: string; value: string } | undefined {
  const parts = new Map<string, string>();
  for (const piece of header.split(';')) {
    const at = piece.indexOf('=');
    if (at > 0) parts.set(piece.slice(0, at).trim().toLowerCase(), piece.slice(at + 1).trim());
  }
  const timestamp = parts.get('timestamp');
  const nonce = parts.get('nonce');
  const value = parts.get('value');
  return timestamp && nonce && value ? { timestamp, nonce, value } : undefined;
}

function headerValue(headers: ReceiptRequest['headers'], name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/** Receipt status → pushgate receipt event status (docs/vendors/huawei.md#receipts table). */
export function huaweiReceiptStatus(status: number): ReceiptEvent['status'] {
  if (status === 0) return 'delivered';
  // 2 app uninstalled, 5 token not of this user / stale, 10 device inactive ≥30 days.
  if (status === 2 || status === 5 || status === 10) return 'invalid_token';
  // 102 more than 3000 messages/day/device; 201 marketing cap / self-classification control.
  if (status === 102 || status === 201) return 'quota_exceeded';
  return 'other';
}

function statusesOf(req: ReceiptRequest): unknown[] {
  let body = req.body;
  if ((typeof body !== 'object' || body === null) && req.rawBody) {
    try {
      body = JSON.parse(req.rawBody);
    } catch {
      return [];
    }
  }
  const statuses = (body as { statuses?: unknown } | null)?.statuses;
  return Array.isArray(statuses) ? statuses : [];
}

export const huaweiReceipts: ReceiptHandler<HuaweiConfig> = {
  verify(req, config, now) {
    const { callbackUserName, callbackKey } = config;
    if (!callbackUserName || !callbackKey) return 'unsigned';
    const header = headerValue(req.headers, HUAWEI_CALLBACK_HEADER);
    const parts = header ? parseHuaweiCallbackHeader(header) : undefined;
    if (!parts || !/^\d{1,15}$/.test(parts.timestamp)) return 'invalid';
    if (Math.abs(now - Number(parts.timestamp)) > HUAWEI_RECEIPT_MAX_AGE_MS) return 'invalid';
    const expected = Buffer.from(signHuaweiCallback(parts.timestamp, parts.nonce, callbackUserName, callbackKey), 'base64');
    const given = Buffer.from(parts.value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'invalid';
  },

  parse(req) {
    const events: ReceiptEvent[] = [];
    for (const raw of statusesOf(req)) {
      if (typeof raw !== 'object' || raw === null) continue;
      const s = raw as Partial<Record<keyof HuaweiReceiptStatus, unknown>>;
      const status = typeof s.status === 'number' ? s.status : typeof s.status === 'string' && /^\d+$/.test(s.status) ? Number(s.status) : undefined;
      if (status === undefined) continue;
      const event: ReceiptEvent = { status: huaweiReceiptStatus(status), vendorStatus: String(status) };
      if (typeof s.token === 'string' && s.token) event.token = s.token;
      if (typeof s.biTag === 'string' && s.biTag) event.callbackRef = s.biTag;
      if (typeof s.requestId === 'string' && s.requestId) event.vendorMessageId = s.requestId;
      events.push(event);
    }
    return events;
  },

  reply: { errno: 0, errmsg: 'success' },
};
