/**
 * HarmonyOS delivery receipts: the receipt API V2, the only one scenario-based messages use
 * (docs/vendors/harmony.md#receipts; https://developer.huawei.com/consumer/cn/doc/doccenter-references/api/push-api-msg-receipt.md).
 * Huawei POSTs `{statuses:[{token, pushType, biTag, requestId, deliveryStatus:{result, timestamp}}]}`
 * to the URL set in AppGallery Connect and, when a callback user name and secret are set there,
 * signs it in `X-HUAWEI-CALLBACK-ID`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ReceiptEvent, ReceiptHandler, ReceiptRequest } from '../types.js';
import type { HarmonyConfig } from './harmony.config.js';
import { HARMONY_CALLBACK_HEADER, type HarmonyReceiptStatus } from './harmony.wire.js';

/** A signed receipt older (or further in the future) than this is refused as a replay. */
export const HARMONY_RECEIPT_MAX_AGE_MS = 5 * 60_000;

/** `value = Base64(HmacSHA256(key = callbackKey, message = timestamp + nonce + callbackUserName))`. */
export function signHarmonyCallback(timestamp: string, nonce: string, callbackUserName: string, callbackKey: string): string {
  return createHmac('sha256', callbackKey).update(timestamp + nonce + callbackUserName, 'utf8').digest('base64');
}

/** `timestamp=…;nonce=…;value=…` → its parts (the base64 value may itself end in '='). */
export function parseHarmonyCallbackHeader(header: string): { timestamp: string; nonce: string; value: string } | undefined {
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
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  return undefined;
}

/**
 * `result` → pushgate receipt status. Confirmed for HarmonyOS: 0 delivered, 102 device frequency
 * control (daily cap), 256 scenario / test-message frequency control. The rest of the table is
 * UNVERIFIED (the HMS codes 2/5/10 may or may not mean a dead token here), so nothing else prunes
 * a device: every other result is only counted.
 */
export function harmonyReceiptStatus(result: number): ReceiptEvent['status'] {
  if (result === 0) return 'delivered';
  if (result === 102 || result === 256) return 'quota_exceeded';
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

function resultOf(s: Partial<Record<keyof HarmonyReceiptStatus, unknown>>): number | undefined {
  const holder = (s.deliveryStatus ?? s.formStatus) as { result?: unknown } | undefined;
  const r = holder?.result;
  if (typeof r === 'number' && Number.isInteger(r)) return r;
  if (typeof r === 'string' && /^\d+$/.test(r)) return Number(r);
  return undefined;
}

export const harmonyReceipts: ReceiptHandler<HarmonyConfig> = {
  verify(req, config, now) {
    const { callbackUserName, callbackKey } = config;
    if (!callbackUserName || !callbackKey) return 'unsigned';
    const header = headerValue(req.headers, HARMONY_CALLBACK_HEADER);
    const parts = header ? parseHarmonyCallbackHeader(header) : undefined;
    if (!parts || !/^\d{1,15}$/.test(parts.timestamp)) return 'invalid';
    if (Math.abs(now - Number(parts.timestamp)) > HARMONY_RECEIPT_MAX_AGE_MS) return 'invalid';
    const expected = Buffer.from(signHarmonyCallback(parts.timestamp, parts.nonce, callbackUserName, callbackKey), 'base64');
    const given = Buffer.from(parts.value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'invalid';
  },

  parse(req) {
    const events: ReceiptEvent[] = [];
    for (const raw of statusesOf(req)) {
      if (typeof raw !== 'object' || raw === null) continue;
      const s = raw as Partial<Record<keyof HarmonyReceiptStatus, unknown>>;
      const result = resultOf(s);
      if (result === undefined) continue;
      const event: ReceiptEvent = { status: harmonyReceiptStatus(result), vendorStatus: String(result) };
      if (typeof s.token === 'string' && s.token) event.token = s.token;
      if (typeof s.biTag === 'string' && s.biTag) event.callbackRef = s.biTag;
      if (typeof s.requestId === 'string' && s.requestId) event.vendorMessageId = s.requestId;
      events.push(event);
    }
    return events;
  },

  // Same answer as receipt API V1 (errno/errmsg).
  reply: { errno: 0, errmsg: 'success' },
};
