/**
 * The HarmonyOS Push Kit v3 facts the simulator checks, written from docs/vendors/harmony.md (Huawei's
 * request, response and limits pages), never taken from the adapter: when the two disagree, a test sees it.
 */

/** Result codes (docs/vendors/harmony.md#error-codes-and-outcomes). */
export const C = {
  SUCCESS: '80000000',
  PARTIAL_SUCCESS: '80100000',
  PARAM_ERROR: '80100001',
  BAD_PAYLOAD: '80100003',
  BAD_TTL: '80100004',
  AUTH_ERROR: '80200001',
  JWT_EXPIRED: '80200005',
  ALL_TOKENS_INVALID: '80300007',
  BODY_TOO_LARGE: '80300008',
  TOO_MANY_TOKENS: '80300010',
  TEST_MESSAGE_TOO_MANY_TOKENS: '80300030',
  JWT_LIFETIME_TOO_LONG: '80300036',
  INTERNAL_ERROR: '81000001',
} as const;

/** The JWT `aud` ("aud 固定为 …") and the key file's `token_uri` (docs/vendors/harmony.md#authentication). */
export const JWT_AUDIENCE = 'https://oauth-login.cloud.huawei.com/oauth2/v3/token';
/** A JWT valid longer than a day is refused with 80300036. */
export const JWT_MAX_LIFETIME_S = 86_400;
/** Header Huawei signs receipts with (docs/vendors/harmony.md#receipts). */
export const CALLBACK_HEADER = 'x-huawei-callback-id';
/** ≤ 1000 tokens a request, ≤ 10 for a test message; 4096 bytes of body besides the token list (docs/vendors/harmony.md#limits). */
export const MAX_TOKENS = 1000;
export const MAX_TEST_TOKENS = 10;
export const MAX_BODY_BYTES = 4096;
/** `pushOptions.ttl` ≤ 15 days; `biTag` ≤ 64 bytes. */
const MAX_TTL_SECONDS = 1_296_000;
const MAX_BI_TAG_BYTES = 64;
/** `push-type` values: 0 alert, 1 widget, 2 voice, 6 background, 7 live view, 10 VoIP (docs/vendors/harmony.md#request). */
export const PUSH_TYPES: ReadonlySet<number> = new Set([0, 1, 2, 6, 7, 10]);
/**
 * `notification.category` values listed today, plus the 2023 demo's names (docs/vendors/harmony.md#categories):
 * those are UNVERIFIED, so accepted here and only a real vendor can refuse them.
 */
const CATEGORIES: ReadonlySet<string> = new Set([
  'IM', 'VOIP', 'MISS_CALL', 'SUBSCRIPTION', 'TRAVEL', 'HEALTH', 'WORK', 'ACCOUNT', 'EXPRESS', 'FINANCE',
  'DEVICE_REMINDER', 'MAIL', 'MARKETING',
  'SYSTEM_REMINDER', 'CUSTOMER_SERVICE', 'NEWS', 'CONTENT_RECOMMENDATION', 'SOCIAL_DYNAMICS', 'PROMO', 'PLAY_VOICE',
]);

/** The key file the developer API console downloads (docs/vendors/harmony.md#authentication). */
export interface HarmonySimServiceAccount {
  project_id: string;
  key_id: string;
  private_key: string;
  sub_account: string;
  auth_uri: string;
  token_uri: string;
  auth_provider_cert_uri: string;
  client_cert_uri: string;
}

/** The send body as the simulator reads it (loose: checking it is the simulator's job). */
export interface HarmonySimSendBody {
  payload: { notification?: Record<string, unknown>; extraData?: unknown; [k: string]: unknown };
  target: { token: string[] };
  pushOptions?: Record<string, unknown>;
}

/** One receipt-V2 status as Huawei posts it (docs/vendors/harmony.md#receipts). */
export interface HarmonySimReceiptStatus {
  token?: string;
  pushType?: number;
  appPackageName?: string;
  biTag?: string;
  requestId?: string;
  deliveryStatus?: { result: number; timestamp?: number };
  formStatus?: { formId?: number | string; result: number; timestamp?: number };
}

export function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

type Problem = { code: string; msg: string } | undefined;

/** `pushOptions` ranges (docs/vendors/harmony.md#request). */
export function checkOptions(o: Record<string, unknown>): Problem {
  const param = (msg: string) => ({ code: C.PARAM_ERROR, msg });
  const ttl = o['ttl'];
  if (ttl !== undefined && (!Number.isInteger(ttl) || (ttl as number) < 0 || (ttl as number) > MAX_TTL_SECONDS)) return { code: C.BAD_TTL, msg: 'ttl is invalid' };
  const ck = o['collapseKey'];
  if (ck !== undefined && (!Number.isInteger(ck) || (ck as number) < -1 || (ck as number) > 100)) return param('collapseKey must be in [-1, 100]');
  const biTag = o['biTag'];
  if (biTag !== undefined && (typeof biTag !== 'string' || Buffer.byteLength(biTag, 'utf8') > MAX_BI_TAG_BYTES)) return param('biTag is at most 64 bytes');
  if (o['testMessage'] !== undefined && typeof o['testMessage'] !== 'boolean') return param('testMessage must be a boolean');
  if (o['receiptId'] !== undefined && typeof o['receiptId'] !== 'string') return param('receiptId must be a string');
  return undefined;
}

/** The payload of each push-type pushgate sends (0 alert, 6 background); the others only need an object. */
export function checkPayload(pushType: number, payload: Record<string, unknown>): Problem {
  const bad = (msg: string) => ({ code: C.BAD_PAYLOAD, msg: `Illegal payload, ${msg}` });
  if (pushType === 6) return typeof payload['extraData'] === 'string' ? undefined : bad('extraData must be a string');
  if (pushType !== 0) return undefined;
  const n = payload['notification'] as Record<string, unknown> | undefined;
  if (typeof n !== 'object' || n === null) return bad('notification is required');
  if (typeof n['category'] !== 'string' || !CATEGORIES.has(n['category']) || n['category'] === 'PLAY_VOICE') return bad('category is invalid');
  for (const f of ['title', 'body'] as const) if (typeof n[f] !== 'string' || n[f] === '') return bad(`${f} is required`);
  const click = n['clickAction'] as Record<string, unknown> | undefined;
  if (typeof click !== 'object' || click === null) return bad('clickAction is required');
  const type = click['actionType'];
  // actionType 3 ("clear notification") is seen in one integration only (UNVERIFIED): accepted.
  if (type !== 0 && type !== 1 && type !== 3) return bad('actionType is invalid');
  if (type === 1 && !(typeof click['action'] === 'string' && click['action']) && !(typeof click['uri'] === 'string' && click['uri'])) return bad('action or uri is required when actionType is 1');
  if (click['data'] !== undefined && (typeof click['data'] !== 'object' || click['data'] === null || Array.isArray(click['data']))) return bad('clickAction.data must be an object');
  if (n['notifyId'] !== undefined && !Number.isInteger(n['notifyId'])) return bad('notifyId must be an integer');
  if (n['image'] !== undefined && (typeof n['image'] !== 'string' || !n['image'].startsWith('https://'))) return bad('image must be an HTTPS URL');
  const style = n['style'];
  if (style !== undefined && style !== 0 && style !== 1 && style !== 3) return bad('style is invalid');
  const badge = n['badge'] as Record<string, unknown> | undefined;
  if (badge !== undefined) {
    const add = badge['addNum'];
    const set = badge['setNum'];
    if (add !== undefined && (!Number.isInteger(add) || (add as number) < 1 || (add as number) > 99)) return bad('badge addNum value ranges from 1 to 99');
    if (set !== undefined && (!Number.isInteger(set) || (set as number) < 0 || (set as number) > 99)) return bad('badge setNum value ranges from 0 to 99');
  }
  return undefined;
}
