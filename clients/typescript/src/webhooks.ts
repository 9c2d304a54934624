/**
 * Webhook receivers: check `Pushgate-Signature` on the raw body, then read the event.
 *
 * The gateway signs each POST with `Pushgate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
 * "<t>.<raw body>")>`. Verifying the raw bytes (not re-serialised JSON) and bounding the age of `t`
 * is what stops a forged or replayed event; the comparison runs in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Pushgate-Signature';
export const EVENT_ID_HEADER = 'Pushgate-Event-Id';

export type DeliveryState = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed' | 'expired' | 'canceled';

interface EventOf<Type extends string, Data> {
  /** `evt_…`, also in `Pushgate-Event-Id`: events come at least once, so de-duplicate on it. */
  id: string;
  type: Type;
  /** ISO 8601 */
  createdAt: string;
  tenant: string;
  data: Data;
}

/** The four events of the gateway's README "Webhooks" table. */
export type PushgateWebhookEvent =
  | EventOf<'message.completed', { messageId: string; counts: Partial<Record<DeliveryState, number>> }>
  | EventOf<
      'delivery.failed',
      { messageId: string; deliveryId: string; provider: string; state: 'failed' | 'expired'; attempts: number; error: { code: string; vendorCode?: string; message: string } | null }
    >
  | EventOf<'delivery.delivered', { messageId: string; deliveryId: string; provider: string }>
  | EventOf<'device.pruned', { deviceId: string; userId: string | null; provider: string; reason: string }>;

export type WebhookEventType = PushgateWebhookEvent['type'];

export interface VerifyWebhookOptions {
  /** The request body exactly as received (read it raw: e.g. `express.raw({ type: 'application/json' })`). */
  body: string | Uint8Array;
  /** The `Pushgate-Signature` header. */
  header: string | null | undefined;
  /** The webhook's `secret`; several while you rotate it (any one matching is enough). */
  secret: string | readonly string[];
  /** Largest accepted distance between `t` and now. @default 300 */
  toleranceSeconds?: number;
  /** ms since the epoch. @default Date.now */
  now?: () => number;
}

export type SignatureProblem = 'missing_header' | 'malformed_header' | 'timestamp_out_of_tolerance' | 'signature_mismatch';

export class WebhookSignatureError extends Error {
  override readonly name = 'WebhookSignatureError';
  constructor(
    readonly reason: SignatureProblem,
    message: string,
  ) {
    super(message);
  }
}

/** The problem with a signature, or null when it is valid. */
export function checkWebhookSignature(o: VerifyWebhookOptions): { reason: SignatureProblem; message: string } | null {
  if (!o.header) return { reason: 'missing_header', message: `no ${SIGNATURE_HEADER} header` };
  let t: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of o.header.split(',')) {
    const eq = part.indexOf('=');
    const [k, v] = [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
    if (k === 't' && /^\d{1,12}$/.test(v)) t = Number(v);
    else if (k === 'v1' && /^[0-9a-f]{64}$/i.test(v)) signatures.push(Buffer.from(v, 'hex'));
  }
  if (t === undefined || !signatures.length) return { reason: 'malformed_header', message: `${SIGNATURE_HEADER} must be t=<unix seconds>,v1=<64 hex digits>` };
  const tolerance = o.toleranceSeconds ?? 300;
  const age = (o.now ?? Date.now)() / 1000 - t;
  if (Math.abs(age) > tolerance) return { reason: 'timestamp_out_of_tolerance', message: `signed ${Math.round(age)} s ago; at most ${tolerance} s is accepted (replayed, or a clock is off)` };
  const body = typeof o.body === 'string' ? Buffer.from(o.body, 'utf8') : o.body;
  for (const secret of typeof o.secret === 'string' ? [o.secret] : o.secret) {
    const expected = createHmac('sha256', secret).update(`${t}.`).update(body).digest();
    if (signatures.some((s) => timingSafeEqual(s, expected))) return null;
  }
  return { reason: 'signature_mismatch', message: 'the signature does not match this body and secret' };
}

/** True when the body was signed by the gateway with `secret` within `toleranceSeconds`. */
export function verifyWebhookSignature(o: VerifyWebhookOptions): boolean {
  return checkWebhookSignature(o) === null;
}

/**
 * The event, after verifying its signature: throws WebhookSignatureError (with `reason`) when the
 * signature is missing, malformed, too old or wrong. Answer any 2xx once it is handled.
 */
export function parseWebhookEvent(o: VerifyWebhookOptions): PushgateWebhookEvent {
  const problem = checkWebhookSignature(o);
  if (problem) throw new WebhookSignatureError(problem.reason, problem.message);
  const text = typeof o.body === 'string' ? o.body : new TextDecoder().decode(o.body);
  return JSON.parse(text) as PushgateWebhookEvent;
}
