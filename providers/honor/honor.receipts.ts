/**
 * Honor delivery receipts (docs/vendors/honor.md#receipts). The receipt URL is set in the Honor
 * console (开放服务 > 推送服务 > 应用回执), not per message; `android.biTag` is echoed back.
 *
 * The body format and any signature are UNVERIFIED (no public source). pushgate accepts the HMS-like
 * form `{ "statuses": [ { biTag, appid, token, status, timestamp, requestId } ] }`, a bare array of
 * those, or one status object, and treats receipts as best-effort: status 0 → delivered, every
 * other status is only counted (never pruned on a guess). Honor signs nothing that pushgate knows
 * of, so `verify` answers 'unsigned' and the per-tenant secret in the callback URL authenticates it.
 */
import type { ReceiptEvent, ReceiptHandler, ReceiptRequest } from '../types.js';
import type { HonorConfig } from './honor.config.js';
import type { HonorReceiptStatus } from './honor.wire.js';

export const honorReceipts: ReceiptHandler<HonorConfig> = {
  verify: () => 'unsigned',
  parse: parseHonorReceipt,
};

export function parseHonorReceipt(req: ReceiptRequest): ReceiptEvent[] {
  const events: ReceiptEvent[] = [];
  for (const raw of statusesOf(bodyOf(req))) {
    if (!isObject(raw) || raw['status'] === undefined || raw['status'] === null) continue;
    const s = raw as Partial<HonorReceiptStatus>;
    const status = String(s.status);
    events.push({
      status: status === '0' ? 'delivered' : 'other',
      vendorStatus: status,
      ...(typeof s.token === 'string' && s.token !== '' ? { token: s.token } : {}),
      ...(typeof s.biTag === 'string' && s.biTag !== '' ? { callbackRef: s.biTag } : {}),
      ...(typeof s.requestId === 'string' && s.requestId !== '' ? { vendorMessageId: s.requestId } : {}),
    });
  }
  return events;
}

function bodyOf(req: ReceiptRequest): unknown {
  if (req.body !== undefined && req.body !== null && (typeof req.body !== 'object' || Object.keys(req.body).length > 0)) return req.body;
  const raw = req.rawBody.trim();
  if (!raw.startsWith('{') && !raw.startsWith('[')) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

function statusesOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (!isObject(body)) return [];
  if (Array.isArray(body['statuses'])) return body['statuses'];
  return 'status' in body ? [body] : [];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
