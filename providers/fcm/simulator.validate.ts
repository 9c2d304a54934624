/**
 * The FCM simulator's checks of a send request body and its error answers, written from Google's
 * REST reference (docs/vendors/fcm.md#request, #limits, #error-codes-and-outcomes), not taken from
 * the adapter: when the two disagree, a test sees it.
 */

/** Data + notification of a token message: ≤ 4096 bytes (docs/vendors/fcm.md#limits). */
export const MAX_PAYLOAD_BYTES = 4096;
/** Longest `android.ttl`: 4 weeks (docs/vendors/fcm.md#ttl). */
const MAX_TTL_SECONDS = 2_419_200;
/** Data keys FCM reserves (REST reference, `Message.data`; docs/vendors/fcm.md#request). */
const RESERVED_DATA_KEYS = ['from', 'notification', 'message_type'];
const RESERVED_DATA_PREFIXES = ['google.', 'gcm.'];
/** `@type` of the error details Google attaches (docs/vendors/fcm.md#error-codes-and-outcomes). */
export const FCM_ERROR_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
export const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';
export const QUOTA_FAILURE_TYPE = 'type.googleapis.com/google.rpc.QuotaFailure';

export type FcmSimErrorCode = 'INVALID_ARGUMENT' | 'UNREGISTERED' | 'SENDER_ID_MISMATCH' | 'QUOTA_EXCEEDED' | 'UNAVAILABLE' | 'INTERNAL' | 'THIRD_PARTY_AUTH_ERROR';

/** Every FCM error body: `{ error: { code, message, status, details? } }`. */
export interface FcmSimErrorBody {
  error: { code: number; message: string; status: string; details?: Array<Record<string, unknown>> };
}

const MESSAGE_KEYS = new Set(['name', 'token', 'topic', 'condition', 'data', 'notification', 'android', 'apns', 'webpush', 'fcm_options']);
const ANDROID_KEYS = new Set([
  'collapse_key',
  'priority',
  'ttl',
  'restricted_package_name',
  'data',
  'notification',
  'fcm_options',
  'direct_boot_ok',
  'bandwidth_constrained_ok',
  'restricted_satellite_ok',
]);
const APNS_KEYS = new Set(['headers', 'payload', 'fcm_options', 'live_activity_token']);
const PRIORITIES = new Set(['HIGH', 'NORMAL', 'high', 'normal']); // REST enum names; firebase-admin sends lowercase (docs/vendors/fcm.md#request)

/** The first shape problem of a send request as a BadRequest field violation, or undefined. */
export function validateSendRequest(body: unknown): { field: string; description: string } | undefined {
  const bad = (field: string, description: string) => ({ field, description });
  if (!isObject(body)) return bad('', 'Invalid JSON payload received. Expected an object.');
  for (const k of Object.keys(body)) if (k !== 'message' && k !== 'validate_only') return bad(k, `Invalid JSON payload received. Unknown name "${k}": Cannot find field.`);
  if (body.validate_only !== undefined && typeof body.validate_only !== 'boolean') return bad('validate_only', 'Invalid value at \'validate_only\' (TYPE_BOOL)');
  const m = body.message;
  if (!isObject(m)) return bad('message', 'Request contains an invalid argument: message is required.');
  for (const k of Object.keys(m)) if (!MESSAGE_KEYS.has(k)) return bad(`message.${k}`, `Invalid JSON payload received. Unknown name "${k}" at 'message': Cannot find field.`);
  const targets = ['token', 'topic', 'condition'].filter((k) => m[k] !== undefined);
  if (targets.length !== 1) return bad('message', 'Exactly one of message.token, message.topic or message.condition must be set.');
  if (m.token !== undefined && (typeof m.token !== 'string' || m.token === '')) return bad('message.token', 'The registration token is not a valid FCM registration token');

  if (m.data !== undefined) {
    if (!isObject(m.data)) return bad('message.data', 'Invalid value at \'message.data\' (type.googleapis.com/google.firebase.fcm.v1.Message.DataEntry)');
    let i = 0;
    for (const [k, v] of Object.entries(m.data)) {
      if (typeof v !== 'string') return bad(`message.data[${i}].value`, `Invalid value at 'message.data[${i}].value' (TYPE_STRING), ${JSON.stringify(v)}`);
      if ((RESERVED_DATA_KEYS).includes(k) || RESERVED_DATA_PREFIXES.some((p) => k.startsWith(p))) {
        return bad(`message.data`, `Invalid data payload key: ${k}`);
      }
      i++;
    }
  }
  if (m.notification !== undefined) {
    if (!isObject(m.notification)) return bad('message.notification', 'Invalid value at \'message.notification\'');
    for (const [k, v] of Object.entries(m.notification)) {
      if (!['title', 'body', 'image'].includes(k)) return bad(`message.notification.${k}`, `Invalid JSON payload received. Unknown name "${k}" at 'message.notification': Cannot find field.`);
      if (typeof v !== 'string') return bad(`message.notification.${k}`, `Invalid value at 'message.notification.${k}' (TYPE_STRING)`);
    }
  }
  if (m.android !== undefined) {
    const a = m.android;
    if (!isObject(a)) return bad('message.android', 'Invalid value at \'message.android\'');
    for (const k of Object.keys(a)) if (!ANDROID_KEYS.has(k)) return bad(`message.android.${k}`, `Invalid JSON payload received. Unknown name "${k}" at 'message.android': Cannot find field.`);
    if (a.priority !== undefined && !PRIORITIES.has(a.priority as string)) {
      return bad('message.android.priority', `Invalid value at 'message.android.priority' (type.googleapis.com/google.firebase.fcm.v1.AndroidMessagePriority), ${JSON.stringify(a.priority)}`);
    }
    if (a.ttl !== undefined) {
      const ttl = typeof a.ttl === 'string' ? /^(\d+)(\.\d{1,9})?s$/.exec(a.ttl) : null;
      if (!ttl || Number(ttl[1]) > MAX_TTL_SECONDS) {
        return bad('message.android.ttl', `Invalid value at 'message.android.ttl' (type.googleapis.com/google.protobuf.Duration), ${JSON.stringify(a.ttl)}`);
      }
    }
    if (a.collapse_key !== undefined && typeof a.collapse_key !== 'string') return bad('message.android.collapse_key', 'Invalid value at \'message.android.collapse_key\' (TYPE_STRING)');
    if (a.notification !== undefined && !isObject(a.notification)) return bad('message.android.notification', 'Invalid value at \'message.android.notification\'');
    if (isObject(a.notification)) {
      for (const k of ['title', 'body', 'image', 'click_action', 'sound', 'channel_id', 'icon', 'color', 'tag']) {
        const v = a.notification[k];
        if (v !== undefined && typeof v !== 'string') return bad(`message.android.notification.${k}`, `Invalid value at 'message.android.notification.${k}' (TYPE_STRING)`);
      }
    }
  }
  if (m.apns !== undefined) {
    const a = m.apns;
    if (!isObject(a)) return bad('message.apns', 'Invalid value at \'message.apns\'');
    for (const k of Object.keys(a)) if (!APNS_KEYS.has(k)) return bad(`message.apns.${k}`, `Invalid JSON payload received. Unknown name "${k}" at 'message.apns': Cannot find field.`);
    if (a.headers !== undefined) {
      if (!isObject(a.headers)) return bad('message.apns.headers', 'Invalid value at \'message.apns.headers\'');
      for (const [k, v] of Object.entries(a.headers)) if (typeof v !== 'string') return bad(`message.apns.headers[${k}]`, `Invalid value at 'message.apns.headers[${k}].value' (TYPE_STRING)`);
    }
    if (a.payload !== undefined && (!isObject(a.payload) || (a.payload.aps !== undefined && !isObject(a.payload.aps)))) {
      return bad('message.apns.payload', 'Invalid APNs payload: aps must be a dictionary.');
    }
  }
  if (m.webpush !== undefined && !isObject(m.webpush)) return bad('message.webpush', 'Invalid value at \'message.webpush\'');
  const payloadBytes = Buffer.byteLength(JSON.stringify({ data: m.data, notification: m.notification }), 'utf8');
  if (payloadBytes > MAX_PAYLOAD_BYTES) return bad('message', `Message is too big: ${payloadBytes} bytes of data and notification, the limit is ${MAX_PAYLOAD_BYTES}.`);
  return undefined;
}

export function error(
  http: number,
  status: string,
  message: string,
  fcmCode?: FcmSimErrorCode,
  extra: Array<Record<string, unknown>> = [],
): { status: number; body: FcmSimErrorBody } {
  const details = [...(fcmCode ? [{ '@type': FCM_ERROR_TYPE, errorCode: fcmCode }] : []), ...extra];
  return { status: http, body: { error: { code: http, message, status, ...(details.length ? { details } : {}) } } };
}

export function decodeJson(part: string | undefined): Record<string, unknown> | undefined {
  if (!part) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

