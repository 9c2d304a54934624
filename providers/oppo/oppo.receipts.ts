/**
 * OPPO delivery receipts (docs/vendors/oppo.md#receipts, https://open.oppomobile.com/new/developmentDoc/info?id=11239):
 * OPPO POSTs a JSON array to the message's `call_back_url`, each item naming comma-joined
 * `registrationIds`, the `eventType` and our `call_back_parameter` echoed as `param`.
 * No signature is documented (UNVERIFIED), so verify() says 'unsigned' and the gateway checks the
 * per-tenant secret in the callback URL.
 */
import type { ReceiptEvent, ReceiptHandler, ReceiptRequest } from '../types.js';
import type { OppoConfig } from './oppo.config.js';
import type { OppoReceiptItem } from './oppo.wire.js';

const STATUS: Readonly<Record<string, ReceiptEvent['status']>> = {
  push_arrive: 'delivered',
  regid_invalid: 'invalid_token',
  user_daily_limit: 'quota_exceeded',
};

/** The receipt items in a request body (parsed JSON, or the raw text when the body was not parsed). */
function itemsOf(req: ReceiptRequest): unknown[] {
  if (Array.isArray(req.body)) return req.body;
  if (req.body && typeof req.body === 'object') return [req.body]; // a lone object: be lenient
  try {
    const v: unknown = JSON.parse(req.rawBody);
    return Array.isArray(v) ? v : v && typeof v === 'object' ? [v] : [];
  } catch {
    return [];
  }
}

/** One event per registration id per item; items without an eventType are skipped. */
export function parseOppoReceipts(req: ReceiptRequest): ReceiptEvent[] {
  const events: ReceiptEvent[] = [];
  for (const raw of itemsOf(req)) {
    if (!raw || typeof raw !== 'object') continue;
    const item = raw as Partial<OppoReceiptItem>;
    if (typeof item.eventType !== 'string' || item.eventType.length === 0) continue;
    const status = STATUS[item.eventType] ?? 'other';
    const callbackRef = typeof item.param === 'string' && item.param.length > 0 ? item.param : undefined;
    const vendorMessageId = typeof item.messageId === 'string' && item.messageId.length > 0 ? item.messageId : undefined;
    const ids = typeof item.registrationIds === 'string' ? item.registrationIds.split(',').map((s) => s.trim()).filter(Boolean) : [];
    if (ids.length === 0) {
      events.push({ status, vendorStatus: item.eventType, callbackRef, vendorMessageId });
      continue;
    }
    for (const token of ids) events.push({ status, vendorStatus: item.eventType, token, callbackRef, vendorMessageId });
  }
  return events;
}

export const oppoReceipts: ReceiptHandler<OppoConfig> = {
  verify: () => 'unsigned',
  parse: parseOppoReceipts,
};
