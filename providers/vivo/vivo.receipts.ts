/**
 * vivo delivery receipts: BEST EFFORT. The body vivo POSTs is UNVERIFIED (docs/vendors/vivo.md#receipts, docs/vendors/README.md#open-questions): no source
 * gives it exactly. Reportedly a JSON object keyed by taskId, each value `{ "param": "<callback.param>",
 * "targets": "regId1,regId2" }` plus an ack type/time. Verify against https://dev.vivo.com.cn/documentCenter/doc/362
 * ("回执说明"). Until then this parser accepts every plausible form:
 * - `{ "<taskId>": { param, targets, ackType?, ackTime? }, … }` (the reported form);
 * - `[ { taskId, param, targets, … }, … ]` or one such object, or any of these under `data`/`receipts`/`list`;
 * - the JSON as a string (text/plain body, or a form field `data`);
 * - `targets` as a comma-separated string or an array; `regId`/`regIds`/`userid` as alternatives.
 * Status: no status field → `delivered` (the legacy receipt is an arrival receipt). A status field (`ackType`,
 * `status`, `type`, `receiptType`) that reads as delivered/arrived (or numeric 0/1) → `delivered`; one that reads
 * as an invalid/uninstalled/unsubscribed target → `invalid_token`; anything else → `other` (numbers other than
 * 0/1 are never taken as "prune": deleting devices on a guess would be worse than missing a receipt).
 * No signature mechanism is documented (UNVERIFIED): verify() answers 'unsigned' and the gateway checks the
 * per-tenant secret in the callback URL.
 */
import type { ReceiptEvent, ReceiptHandler, ReceiptRequest } from '../types.js';
import type { VivoConfig } from './vivo.config.js';

const STATUS_FIELDS = ['ackType', 'status', 'type', 'receiptType', 'ackStatus'] as const;
const TASK_FIELDS = ['taskId', 'taskid', 'msgId', 'messageId'] as const;
const MAX_EVENTS = 100_000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function tryJson(text: string): unknown {
  const t = text.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    // Long digit ids (taskId, regIds) must not become imprecise numbers.
    return JSON.parse(t.replace(/("(?:taskId|taskid|userid|regId)"\s*:\s*)(-?\d{16,})/g, '$1"$2"'));
  } catch {
    return undefined;
  }
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim()) return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function targetsOf(entry: Record<string, unknown>): string[] {
  for (const key of ['targets', 'regIds', 'regId', 'userid', 'target', 'alias'] as const) {
    const v = entry[key];
    if (Array.isArray(v)) return v.map(str).filter((s): s is string => s !== undefined);
    const s = str(v);
    if (s) return s.split(',').map((x) => x.trim()).filter(Boolean);
  }
  return [];
}

/** Map a vivo receipt status (UNVERIFIED vocabulary) to pushgate's. */
export function vivoReceiptStatus(raw: unknown): ReceiptEvent['status'] {
  if (raw === undefined || raw === null || raw === '') return 'delivered';
  if (typeof raw === 'number') return raw === 0 || raw === 1 ? 'delivered' : 'other';
  const s = String(raw).trim().toLowerCase();
  if (/^[01]$/.test(s)) return 'delivered';
  if (/invalid|uninstall|unsubscrib|not[_ -]?exist|notexist|unregister|inactive|disabled|closed/.test(s)) return 'invalid_token';
  if (/deliver|arriv|receiv|^ack$|success|^ok$|送达|到达/.test(s)) return 'delivered';
  return 'other';
}

function eventsOf(entry: Record<string, unknown>, taskIdKey: string | undefined, out: ReceiptEvent[]): void {
  const taskId = taskIdKey ?? TASK_FIELDS.map((k) => str(entry[k])).find((v) => v !== undefined);
  const rawStatus = STATUS_FIELDS.map((k) => entry[k]).find((v) => v !== undefined && v !== null && v !== '');
  const status = vivoReceiptStatus(rawStatus);
  const callbackRef = str(entry['param']) ?? str(entry['callback.param']);
  const base: ReceiptEvent = {
    status,
    vendorStatus: rawStatus === undefined ? 'delivered' : String(rawStatus),
    ...(callbackRef !== undefined ? { callbackRef } : {}),
    ...(taskId !== undefined ? { vendorMessageId: taskId } : {}),
  };
  const tokens = targetsOf(entry);
  if (tokens.length === 0) {
    out.push(base);
    return;
  }
  for (const token of tokens) {
    if (out.length >= MAX_EVENTS) return;
    out.push({ ...base, token });
  }
}

function looksLikeEntry(v: Record<string, unknown>): boolean {
  return 'targets' in v || 'param' in v || TASK_FIELDS.some((k) => k in v) || 'regId' in v || 'regIds' in v;
}

function collect(body: unknown, out: ReceiptEvent[], depth = 0): void {
  if (depth > 3 || out.length >= MAX_EVENTS) return;
  if (typeof body === 'string') {
    const parsed = tryJson(body);
    if (parsed !== undefined) collect(parsed, out, depth + 1);
    return;
  }
  if (Array.isArray(body)) {
    for (const item of body) if (isRecord(item)) eventsOf(item, undefined, out);
    return;
  }
  if (!isRecord(body)) return;
  for (const wrapper of ['data', 'receipts', 'list'] as const) {
    const inner = body[wrapper];
    if (inner !== undefined && Object.keys(body).length <= 3 && (typeof inner === 'string' || Array.isArray(inner) || isRecord(inner))) {
      const before = out.length;
      collect(inner, out, depth + 1);
      if (out.length > before) return;
    }
  }
  if (looksLikeEntry(body) && !Object.values(body).some(isRecord)) {
    eventsOf(body, undefined, out);
    return;
  }
  // The reported form: keyed by taskId.
  for (const [taskId, value] of Object.entries(body)) {
    if (isRecord(value)) eventsOf(value, taskId, out);
  }
}

export const vivoReceipts: ReceiptHandler<VivoConfig> = {
  verify(): 'unsigned' {
    return 'unsigned';
  },
  parse(req: ReceiptRequest): ReceiptEvent[] {
    const out: ReceiptEvent[] = [];
    collect(req.body, out);
    if (out.length === 0 && req.rawBody) collect(req.rawBody, out);
    return out;
  },
};
