/**
 * HarmonyOS NEXT Push Kit, REST API v3 ("scenario-based messages"): request/response shapes and
 * codes, nothing else. Source: docs/vendors/harmony.md (Huawei's HarmonyOS Push Kit reference:
 * https://developer.huawei.com/consumer/cn/doc/doccenter-references/api/push-scenariozed-api-request-param.md,
 * https://developer.huawei.com/consumer/en/doc/harmonyos-references-V13/push-scenariozed-api-response-V13/,
 * and Huawei's Java server demo).
 */

/** The service-account key file from the Huawei developer API console (docs/vendors/harmony.md#authentication). */
export interface HarmonyServiceAccount {
  project_id: string;
  key_id: string;
  /** PKCS#8 PEM, RSA. */
  private_key: string;
  sub_account: string;
  auth_uri?: string | undefined;
  /** The JWT `aud`; Huawei's demo reads it from here. */
  token_uri?: string | undefined;
  [key: string]: unknown;
}

/** The JWT `aud` when the key file names no `token_uri` ("aud 固定为 …"). */
export const HARMONY_JWT_AUDIENCE = 'https://oauth-login.cloud.huawei.com/oauth2/v3/token';
/** Huawei recommends 3600 s; a JWT valid longer than a day is refused with 80300036. */
export const HARMONY_JWT_DEFAULT_LIFETIME_S = 3600;
export const HARMONY_JWT_MAX_LIFETIME_S = 86_400;

export interface HarmonyJwtHeader {
  kid: string;
  typ: 'JWT';
  alg: 'PS256';
}

export interface HarmonyJwtClaims {
  iss: string;
  aud: string;
  iat: number;
  exp: number;
}

/** The `push-type` header: which scenario the payload is. pushgate sends 0 (alert) and 6 (background). */
export const HARMONY_PUSH_TYPES = { ALERT: 0, FORM_UPDATE: 1, EXTENSION: 2, BACKGROUND: 6, LIVE_VIEW: 7, VOIP_CALL: 10 } as const;
export type HarmonyPushType = (typeof HARMONY_PUSH_TYPES)[keyof typeof HARMONY_PUSH_TYPES];

/**
 * `payload.notification.category` values listed today (PLAY_VOICE only with push-type 2). The 2023
 * Java demo also lists SYSTEM_REMINDER, CUSTOMER_SERVICE, NEWS, CONTENT_RECOMMENDATION,
 * SOCIAL_DYNAMICS and PROMO: UNVERIFIED whether still accepted, so pushgate never sends them
 * (docs/vendors/harmony.md#categories).
 */
export const HARMONY_CATEGORIES = [
  'IM',
  'VOIP',
  'MISS_CALL',
  'SUBSCRIPTION',
  'TRAVEL',
  'HEALTH',
  'WORK',
  'ACCOUNT',
  'EXPRESS',
  'FINANCE',
  'DEVICE_REMINDER',
  'MAIL',
  'MARKETING',
] as const;
export type HarmonyCategory = (typeof HARMONY_CATEGORIES)[number];
export const HARMONY_LEGACY_CATEGORIES = ['SYSTEM_REMINDER', 'CUSTOMER_SERVICE', 'NEWS', 'CONTENT_RECOMMENDATION', 'SOCIAL_DYNAMICS', 'PROMO', 'PLAY_VOICE'] as const;

/** `clickAction.actionType`: 0 open the app's home page, 1 open a page by `action` or `uri`. */
export type HarmonyClickAction = { actionType: 0; data?: Record<string, string> } | { actionType: 1; action?: string; uri?: string; data?: Record<string, string> };

export interface HarmonyBadge {
  addNum?: number;
  setNum?: number;
}

export interface HarmonyNotification {
  category: HarmonyCategory;
  title: string;
  body: string;
  clickAction: HarmonyClickAction;
  image?: string;
  /** 0 normal, 3 multi-line (`inboxContent`). */
  style?: 0 | 3;
  inboxContent?: string[];
  /** Same id replaces the shown notification; needed to revoke. */
  notifyId?: number;
  appMessageId?: string;
  profileId?: string;
  badge?: HarmonyBadge;
  sound?: string;
  foregroundShow?: boolean;
}

/** push-type 0: `{notification}`; push-type 6: `{extraData}` (a string). */
export type HarmonyPayload = { notification: HarmonyNotification } | { extraData: string };

export interface HarmonyPushOptions {
  testMessage?: boolean;
  /** Integer seconds (not v1's "86400s"), default 86400, max 1296000. */
  ttl?: number;
  biTag?: string;
  receiptId?: string;
  /** -1 cache all (default); 0–100 keep only the newest per group. */
  collapseKey?: number;
}

export interface HarmonySendRequest {
  payload: HarmonyPayload;
  target: { token: string[] };
  pushOptions?: HarmonyPushOptions;
}

/** `POST /v1/{clientId}/messages:revoke` (docs/vendors/harmony.md#recall). */
export interface HarmonyRevokeRequest {
  notifyId: number;
  token: string[];
}

/** Every answer; `code` is a string. */
export interface HarmonyResponse {
  code: string;
  /** Text, or for 80100000/80300007 a JSON string `{"illegalTokens":{"<reason>":[…]},"success":N,"failure":M}`. */
  msg: string;
  requestId?: string;
}

export interface HarmonyIllegalTokensMsg {
  illegalTokens?: Record<string, string[]>;
  success?: number;
  failure?: number;
}

export const HARMONY_CODES = {
  SUCCESS: '80000000',
  PARTIAL_SUCCESS: '80100000',
  PARAM_ERROR: '80100001',
  BAD_PAYLOAD: '80100003',
  BAD_TTL: '80100004',
  IMAGE_NOT_VERIFIED: '80100022',
  AUTH_ERROR: '80200001',
  JWT_EXPIRED: '80200005',
  NO_PERMISSION: '80300002',
  ALL_TOKENS_INVALID: '80300007',
  BODY_TOO_LARGE: '80300008',
  TOO_MANY_TOKENS: '80300010',
  TEST_MESSAGE_RATE_LIMITED: '80300029',
  TEST_MESSAGE_TOO_MANY_TOKENS: '80300030',
  JWT_LIFETIME_TOO_LONG: '80300036',
  APP_PENALIZED: '80300037',
  INTERNAL_ERROR: '81000001',
} as const;

/** `illegalTokens` reasons (docs/vendors/harmony.md#error-codes-and-outcomes). */
export const HARMONY_TOKEN_REASONS = {
  TOKEN_FORMAT_ERROR: 'tokenFormatError',
  TOKEN_PLATFORM_NOT_SUPPORT: 'tokenPlatformNotSupport',
  NO_RIGHT: 'noRight',
  NO_PUSH_TYPE_RIGHT: 'noPushTypeRight',
} as const;

export const HARMONY_MAX_TOKENS = 1000;
/** Test messages (`pushOptions.testMessage`) take at most 10 tokens (else 80300030). */
export const HARMONY_MAX_TEST_TOKENS = 10;
/** Request body limit in bytes, not counting the token list (80300008). */
export const HARMONY_MAX_BODY_BYTES = 4096;
/** `pushOptions.ttl` maximum: 15 days. */
export const HARMONY_MAX_TTL_SECONDS = 1_296_000;
/** `biTag` ≤ 64 bytes. */
export const HARMONY_MAX_BI_TAG_BYTES = 64;

/** One receipt status of the receipt API V2 (docs/vendors/harmony.md#receipts). */
export interface HarmonyReceiptStatus {
  token?: string;
  pushType?: number;
  appPackageName?: string;
  biTag?: string;
  requestId?: string;
  deliveryStatus?: { result: number; timestamp?: number };
  formStatus?: { formId?: number | string; result: number; timestamp?: number };
}

export interface HarmonyReceiptBody {
  statuses: HarmonyReceiptStatus[];
}

/** Header Huawei signs receipts with: `timestamp=<ms>;nonce=<uuid>;value=<base64 HMAC>`. */
export const HARMONY_CALLBACK_HEADER = 'x-huawei-callback-id';
